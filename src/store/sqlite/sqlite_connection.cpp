#include "store/sqlite/sqlite_connection.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <charconv>
#include <memory>

#include "store/errors.hpp"
#include "store/sqlite/table_owner.hpp"

namespace orderly::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view what) {
  const std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code & 0xFF) {
    case SQLITE_CONSTRAINT: {
      using Kind = ConstraintViolation::Kind;
      const auto kind = code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY ? Kind::unique
                        : code == SQLITE_CONSTRAINT_CHECK                                        ? Kind::check
                        : code == SQLITE_CONSTRAINT_FOREIGNKEY                                   ? Kind::foreign_key
                        : code == SQLITE_CONSTRAINT_NOTNULL                                      ? Kind::not_null
                                                                                                 : Kind::other;
      throw ConstraintViolation(kind, message);
    }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // Another process holds the write lock past busy_timeout.
      throw SerializationFailure(message);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      throw StoreUnavailable(message);
    default:
      throw StoreError(message);
  }
}

void bind(sqlite3* db, sqlite3_stmt* stmt, int index, const Value& value, std::string_view name) {
  int code = SQLITE_OK;
  if (std::holds_alternative<std::monostate>(value)) {
    code = sqlite3_bind_null(stmt, index);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    code = sqlite3_bind_int64(stmt, index, *integer);
  } else if (const auto* real = std::get_if<double>(&value)) {
    code = sqlite3_bind_double(stmt, index, *real);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    code = sqlite3_bind_text64(stmt, index, text->data(), text->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else if (const auto* blob = std::get_if<Blob>(&value)) {
    code = sqlite3_bind_blob64(stmt, index, blob->bytes.data(), blob->bytes.size(), SQLITE_TRANSIENT);
  }
  if (code != SQLITE_OK) fail(db, code, std::string("binding ") + std::string(name));
}

Value column_value(sqlite3_stmt* stmt, int column) {
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER: return std::int64_t{sqlite3_column_int64(stmt, column)};
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, column);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
      return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
    }
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
      return Blob{std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)))};
    }
    default: return std::monostate{};
  }
}

// The database holds password hashes and sealed keys: owner only. SQLite
// gives its -wal and -shm files the main file's mode, so the main file is
// made 0600 before SQLite creates it; files left by an older, laxer start are
// tightened.
void keep_private(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) return;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0) ::close(fd);
  for (const auto& file : {path, path + "-wal", path + "-shm"}) {
    struct stat info {};
    if (::stat(file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) ::chmod(file.c_str(), S_IRUSR | S_IWUSR);
  }
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout) {
  if (mode == Mode::writer) keep_private(path);
  const int flags = mode == Mode::writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
                                         : SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
  const int code = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreUnavailable("sqlite " + path + ": " + reason);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
  if (mode == Mode::writer) {
    // WAL lets readers run beside the one writer; synchronous=FULL makes a
    // commit durable before it returns (NORMAL could lose the last commits on
    // power loss: an acknowledged order must survive, so FULL it is).
    run_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  }
  run_script("PRAGMA foreign_keys=ON;");
  sqlite3_set_authorizer(db_, &SqliteConnection::authorize, this);
}

int SqliteConnection::authorize(void* self, int action, const char* first, const char* second, const char*,
                                const char*) {
  const auto* owner = static_cast<SqliteConnection*>(self)->preparing_for_;
  if (owner == nullptr) return SQLITE_OK;
  // The table a read, write or schema change names: the first argument,
  // except for ALTER TABLE (database, table).
  const char* table = nullptr;
  switch (action) {
    case SQLITE_READ:
    case SQLITE_UPDATE:
    case SQLITE_INSERT:
    case SQLITE_DELETE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_DROP_TABLE:
    case SQLITE_CREATE_INDEX:
    case SQLITE_DROP_INDEX:
      table = action == SQLITE_CREATE_INDEX || action == SQLITE_DROP_INDEX ? second : first;
      break;
    case SQLITE_ALTER_TABLE: table = second; break;
    default: return SQLITE_OK;
  }
  return table == nullptr || owner->may_touch(table) ? SQLITE_OK : SQLITE_DENY;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [key, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* SqliteConnection::prepared(const Statement& statement, const TableOwner* owner) {
  const CacheKey key{owner, statement.name};
  if (const auto found = statements_.find(key); found != statements_.end()) return found->second;
  sqlite3_stmt* stmt = nullptr;
  const auto sql = statement.text(Dialect::sqlite);
  preparing_for_ = owner;
  const int code = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
  preparing_for_ = nullptr;
  if (code != SQLITE_OK) {
    const std::string what = "preparing " + std::string(statement.name) +
                             (owner != nullptr && code == SQLITE_AUTH ? " for " + owner->service : "");
    fail(db_, code, what);
  }
  statements_.emplace(key, stmt);
  return stmt;
}

Result SqliteConnection::run(const Statement& statement, const Params& params, const TableOwner* owner) {
  auto* stmt = prepared(statement, owner);
  // Reset on every exit, so a failed step never leaves a statement (and its
  // read transaction) open.
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> reset(stmt, sqlite3_reset);
  sqlite3_clear_bindings(stmt);

  const int count = sqlite3_bind_parameter_count(stmt);
  for (int index = 1; index <= count; ++index) {
    // Parameters are $1, $2, ...: the number after '$' picks the Param.
    const char* name = sqlite3_bind_parameter_name(stmt, index);
    std::size_t position = 0;
    if (name == nullptr || name[0] != '$' ||
        std::from_chars(name + 1, name + std::char_traits<char>::length(name), position).ec != std::errc{} ||
        position == 0 || position > params.size()) {
      throw StoreError(std::string(statement.name) + ": parameter " + (name != nullptr ? name : "?") +
                       " has no value (" + std::to_string(params.size()) + " given)");
    }
    bind(db_, stmt, index, params[position - 1].value(), statement.name);
  }

  Result result;
  std::shared_ptr<std::vector<std::string>> columns;
  while (true) {
    const int code = sqlite3_step(stmt);
    if (code == SQLITE_DONE) break;
    if (code != SQLITE_ROW) fail(db_, code, std::string(statement.name));
    const int width = sqlite3_column_count(stmt);
    if (!columns) {
      columns = std::make_shared<std::vector<std::string>>();
      for (int column = 0; column < width; ++column) columns->emplace_back(sqlite3_column_name(stmt, column));
    }
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(width));
    for (int column = 0; column < width; ++column) values.push_back(column_value(stmt, column));
    result.rows.emplace_back(columns, std::move(values));
  }
  result.affected_rows = sqlite3_changes64(db_);
  return result;
}

void SqliteConnection::run_script(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  const int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errstr(code);
    sqlite3_free(error);
    throw StoreError("script: " + message);
  }
}

std::string SqliteConnection::pragma(std::string_view name) {
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "PRAGMA " + std::string(name);
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(db_, SQLITE_ERROR, sql);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (text != nullptr) value = text;
  }
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace orderly::store::sqlite
