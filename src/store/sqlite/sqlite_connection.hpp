#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/row.hpp"
#include "store/statement.hpp"
#include "store/value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace orderly::store::sqlite {

// One SQLite connection and its prepared statements, cached by statement
// name. Synchronous and not thread-safe: SqliteStore gives each connection to
// one thread at a time.
class SqliteConnection {
 public:
  enum class Mode { writer, reader };

  // Opens (creating when `mode` is writer) the database at `path`. The writer
  // turns on WAL and synchronous=FULL: a commit is on disk before it returns.
  SqliteConnection(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result run(const Statement& statement, const Params& params);
  void run_script(std::string_view sql);

  // The value of a pragma, e.g. "journal_mode" -> "wal" (for tests and readiness).
  std::string pragma(std::string_view name);

 private:
  sqlite3_stmt* prepared(const Statement& statement);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string_view, sqlite3_stmt*> statements_;  // keys are Statement::name (static storage)
};

}  // namespace orderly::store::sqlite
