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

struct TableOwner;

// One SQLite connection and its prepared statements, cached by statement
// name and owner. Synchronous and not thread-safe: SqliteStore gives each
// connection to one thread at a time.
class SqliteConnection {
 public:
  enum class Mode { writer, reader };

  // Opens (creating when `mode` is writer) the database at `path`. The writer
  // turns on WAL and synchronous=FULL: a commit is on disk before it returns.
  SqliteConnection(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs `statement` for `owner` (nullptr: the platform itself, e.g. the
  // migrations). SQLite's authorizer refuses, when the statement is
  // prepared, any read or write of a table the owner may not touch:
  // StoreError "not authorized".
  Result run(const Statement& statement, const Params& params, const TableOwner* owner = nullptr);
  void run_script(std::string_view sql);

  // The value of a pragma, e.g. "journal_mode" -> "wal" (for tests and readiness).
  std::string pragma(std::string_view name);

 private:
  struct CacheKey {
    const TableOwner* owner;
    std::string_view name;  // Statement::name (static storage)
    bool operator==(const CacheKey&) const = default;
  };
  struct CacheKeyHash {
    std::size_t operator()(const CacheKey& key) const noexcept {
      return std::hash<std::string_view>{}(key.name) ^ (std::hash<const void*>{}(key.owner) << 1U);
    }
  };

  sqlite3_stmt* prepared(const Statement& statement, const TableOwner* owner);
  static int authorize(void* self, int action, const char* first, const char* second, const char* database,
                       const char* trigger);

  sqlite3* db_ = nullptr;
  // The authorizer only runs while a statement is prepared, so a statement is
  // cached per owner: one prepared for another owner is never reused.
  std::unordered_map<CacheKey, sqlite3_stmt*, CacheKeyHash> statements_;
  const TableOwner* preparing_for_ = nullptr;  // the owner the authorizer checks, during prepared() only
};

}  // namespace orderly::store::sqlite
