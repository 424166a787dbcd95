#include "store/sqlite/sqlite_backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cstdio>
#include <memory>

#include "store/errors.hpp"

namespace orderly::store::sqlite {
namespace {

// The -shm byte every connection holds a shared lock on (sqlite3.c:
// UNIX_SHM_DMS = (22 + SQLITE_SHM_NLOCK) * 4 + SQLITE_SHM_NLOCK).
constexpr off_t kShmDeadManSwitch = 128;
constexpr int kBusyTimeoutMs = 5000;

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

Database open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database owned(db);
  if (code != SQLITE_OK) {
    throw StoreError("sqlite " + path + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code)));
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return owned;
}

void execute(sqlite3* db, const std::string& path, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string reason = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw StoreError("sqlite " + path + ": " + sql + ": " + reason);
  }
}

}  // namespace

void backup_database(const std::string& source, const std::string& destination) {
  struct stat info {};
  if (::stat(source.c_str(), &info) != 0) throw StoreError("sqlite " + source + ": no database there");
  // Made 0600 before SQLite opens it: the copy holds what the original does.
  std::remove(destination.c_str());
  const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) throw StoreError("sqlite " + destination + ": cannot create the copy");
  ::close(fd);

  const auto from = open(source, SQLITE_OPEN_READWRITE);
  const auto to = open(destination, SQLITE_OPEN_READWRITE);
  sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (backup == nullptr) throw StoreError("sqlite backup " + source + ": " + sqlite3_errmsg(to.get()));
  // -1: every page in one step, under one read transaction (a step that
  // stopped halfway would restart whenever the server wrote in between).
  // BUSY can only come from a checkpoint holding a lock for a moment.
  int code = SQLITE_OK;
  for (int attempt = 0; attempt < 100; ++attempt) {
    code = sqlite3_backup_step(backup, -1);
    if (code != SQLITE_BUSY && code != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  sqlite3_backup_finish(backup);
  if (code != SQLITE_DONE) {
    throw StoreError("sqlite backup " + source + ": " + sqlite3_errstr(code));
  }
  // The pages carry the source's WAL flag; one file is what a backup should be.
  execute(to.get(), destination, "PRAGMA journal_mode=DELETE");
}

std::string integrity_check(const std::string& path) {
  const auto db = open(path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check(20)", -1, &raw, nullptr) != SQLITE_OK) {
    throw StoreError("sqlite " + path + ": " + sqlite3_errmsg(db.get()));
  }
  const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
  std::string report;
  int code = SQLITE_ROW;
  while ((code = sqlite3_step(raw)) == SQLITE_ROW) {
    if (!report.empty()) report += "; ";
    report += reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
  }
  if (code != SQLITE_DONE) throw StoreError("sqlite " + path + ": " + sqlite3_errmsg(db.get()));
  return report;
}

int schema_version(const std::string& path) {
  const auto db = open(path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'", -1,
                         &raw, nullptr) != SQLITE_OK) {
    throw StoreError("sqlite " + path + ": " + sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
  if (sqlite3_step(raw) != SQLITE_ROW) throw StoreError("sqlite " + path + ": " + sqlite3_errmsg(db.get()));
  if (sqlite3_column_int(raw, 0) == 0) return 0;
  statement.reset();
  if (sqlite3_prepare_v2(db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &raw, nullptr) !=
      SQLITE_OK) {
    throw StoreError("sqlite " + path + ": " + sqlite3_errmsg(db.get()));
  }
  statement.reset(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) throw StoreError("sqlite " + path + ": " + sqlite3_errmsg(db.get()));
  return sqlite3_column_int(raw, 0);
}

bool database_in_use(const std::string& path) {
  const auto shm = path + "-shm";
  const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no WAL index: nobody has it open in WAL mode
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = kShmDeadManSwitch;
  probe.l_len = 1;
  const bool locked = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  ::close(fd);
  return locked;
}

}  // namespace orderly::store::sqlite
