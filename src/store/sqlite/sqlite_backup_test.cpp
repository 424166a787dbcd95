// The SQLite pieces of `orderly backup` and `orderly restore`: a copy taken
// beside an open store is a one-file snapshot, 0600, that passes its
// integrity check; a damaged file does not; the schema version is read back;
// another process holding the database open is seen.
#include "store/sqlite/sqlite_backup.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/errors.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::store::sqlite {
namespace {

using core::run_sync;

constexpr Statement kCreate{"test.create", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"};
constexpr Statement kInsert{"test.insert", "INSERT INTO items (name) VALUES ($1)"};
constexpr Statement kCount{"test.count", "SELECT COUNT(*) AS n FROM items"};

class SqliteBackup : public ::testing::Test {
 protected:
  SqliteBackup() {
    char folder[] = "/tmp/orderly-sqlite-backup-XXXXXX";
    dir_ = ::mkdtemp(folder);
    store_ = std::make_unique<SqliteStore>(SqliteOptions{.path = dir_ + "/live.db"}, metrics_);
    (void)run_sync(store_->execute(kCreate));
    for (int i = 0; i < 200; ++i) (void)run_sync(store_->execute(kInsert, {std::string("item-") + std::to_string(i)}));
  }
  ~SqliteBackup() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::int64_t count_in(const std::string& path) {
    core::metrics::Registry metrics;
    SqliteStore copy(SqliteOptions{.path = path}, metrics);
    Store& store = copy;
    return std::get<std::int64_t>(run_sync(store.query(kCount)).first().at("n"));
  }

  std::string dir_;
  core::metrics::Registry metrics_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteBackup, CopiesTheCommittedRowsIntoOnePrivateFileWhileTheStoreIsOpen) {
  const auto copy = dir_ + "/copy.db";
  backup_database(dir_ + "/live.db", copy);
  (void)run_sync(store_->execute(kInsert, {std::string("after the backup")}));

  EXPECT_FALSE(std::filesystem::exists(copy + "-wal")) << "the copy must be one file";
  struct stat info {};
  ASSERT_EQ(::stat(copy.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(integrity_check(copy), "ok");
  EXPECT_EQ(count_in(copy), 200) << "the snapshot of the moment of the backup";
}

TEST_F(SqliteBackup, AMissingSourceIsAnErrorAndCreatesNothing) {
  EXPECT_THROW(backup_database(dir_ + "/absent.db", dir_ + "/copy.db"), StoreError);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/absent.db"));
}

TEST_F(SqliteBackup, ADamagedFileFailsTheIntegrityCheck) {
  const auto copy = dir_ + "/copy.db";
  backup_database(dir_ + "/live.db", copy);
  ASSERT_GE(std::filesystem::file_size(copy), 2 * 4096U);
  {
    std::fstream file(copy, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(4096 + 100);  // inside the table's b-tree, past page 1 (the header)
    const std::string garbage(2000, '\xff');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    EXPECT_NE(integrity_check(copy), "ok");
  } catch (const StoreError&) {
    SUCCEED() << "SQLite refused the file outright";
  }
}

TEST_F(SqliteBackup, ReadsTheSchemaVersion) {
  EXPECT_EQ(schema_version(dir_ + "/live.db"), 0) << "no schema_migrations table";
  static constexpr Statement kTable{"test.schema_table",
                                    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"};
  static constexpr Statement kRows{"test.schema_rows", "INSERT INTO schema_migrations VALUES (1, 'a'), (7, 'b')"};
  (void)run_sync(store_->execute(kTable));
  (void)run_sync(store_->execute(kRows));
  EXPECT_EQ(schema_version(dir_ + "/live.db"), 7);
}

TEST_F(SqliteBackup, SeesAnotherProcessHoldingTheDatabaseOpen) {
  const auto path = dir_ + "/live.db";
  // SQLite's per-process state must not cross the fork with an open connection.
  store_.reset();
  EXPECT_FALSE(database_in_use(path));
  int ready[2];
  int release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(release[1]);  // else its own copy keeps the read below from ever seeing the end
    sqlite3* db = nullptr;
    int ok = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
             sqlite3_exec(db, "SELECT COUNT(*) FROM items", nullptr, nullptr, nullptr) == SQLITE_OK;
    const char byte = ok ? '1' : '0';
    (void)!::write(ready[1], &byte, 1);
    char ignored = 0;
    (void)!::read(release[0], &ignored, 1);  // until the parent closes its end
    sqlite3_close(db);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(release[0]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  EXPECT_EQ(byte, '1');
  EXPECT_TRUE(database_in_use(path));
  ::close(release[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  EXPECT_FALSE(database_in_use(path)) << "the child has gone";
}

}  // namespace
}  // namespace orderly::store::sqlite
