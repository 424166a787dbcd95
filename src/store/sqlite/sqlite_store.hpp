#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/metrics.hpp"
#include "store/sqlite/table_owner.hpp"
#include "store/store.hpp"

namespace orderly::store::sqlite {

struct SqliteOptions {
  std::string path;  // the database file; created with its folder's permissions
  std::size_t readers = 4;
  std::chrono::milliseconds busy_timeout{5000};
  unsigned max_transaction_attempts = 5;
};

// The embedded store: one SQLite file in WAL mode with durable commits.
// Writes (and every transaction) run on one writer thread with one
// connection, one transaction at a time; reads run on a pool of reader
// threads, each query on a free read-only connection. Callers on event loops
// only await: no SQLite call ever runs on an event loop.
//
// Metrics: orderly_store_queries_total{statement,outcome} and
// orderly_store_query_duration_seconds{statement}.
class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteOptions options, core::metrics::Registry& metrics);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::sqlite; }
  boost::asio::awaitable<Result> query(const Statement& statement, Params params, ReadOptions options) override;
  boost::asio::awaitable<CommitToken> transaction(Body body) override;
  boost::asio::awaitable<Result> execute(const Statement& statement, Params params) override;

  // The same database as one service sees it: the same connections, writer
  // queue and metrics, but each statement prepared for `owner`, so one that
  // touches a table of another service is refused (StoreError "not
  // authorized"). Embedded mode gives each module such a view; migrations,
  // the queue and the locks use the store itself. The view must not outlive
  // this store.
  [[nodiscard]] std::unique_ptr<Store> owned_by(TableOwner owner);

  // A pragma of the writer connection ("journal_mode", "synchronous"), for tests.
  boost::asio::awaitable<std::string> writer_pragma(std::string name);

  struct Impl;  // public so the .cpp's helpers can name it; defined there

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::store::sqlite
