#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "store/postgres/pg_server.hpp"
#include "store/store.hpp"

namespace orderly::store::postgres {

struct PgOptions {
  std::string primary;                // postgresql://user[:password]@host:port/database[?options]
  std::vector<std::string> replicas;  // streaming replicas of the primary, same form
  // Patroni's REST API of each host `primary` lists, in the same order: the
  // primary is the host whose Patroni says it leads (patroni_leader.hpp).
  // Empty: `primary` as libpq connects to it.
  std::vector<core::HostPort> patroni;
  std::chrono::milliseconds patroni_interval{500};  // how often the nodes are asked who leads
  PgConnectionSettings connections;
  unsigned max_transaction_attempts = 5;
  // A replica's replay position and lag are measured at most this often,
  // unless a read needs a later position than the last one measured.
  std::chrono::milliseconds replica_check_interval{1'000};
};

// The scale-out store: a PostgreSQL primary for writes and transactions,
// streaming replicas for reads. libpq in non-blocking mode on the caller's
// event loop: each loop gets its own pool of connections per server, opened
// lazily and kept in an Asio service of that loop (so nothing is shared
// between threads but a few atomics, and nothing blocks a loop). Calls must
// come from coroutines on single-threaded io_contexts.
//
// Routing: transaction() and execute() run on the primary; query() runs on a
// replica (round robin) when allowed and one is configured, unless
// `at_least` names a commit the replica has not replayed yet; then, or when
// the replica is unreachable, on the primary. A transaction's CommitToken is
// the primary's WAL position after its COMMIT.
//
// With `patroni` set, the primary is whichever host Patroni says leads, now:
// a new transaction goes to the new leader as soon as a round of questions
// has seen it (patroni_interval, or at once after a connection to the old
// one failed). A transaction in flight on a leader that fails ends in
// StoreUnavailable (retryable: nothing of it committed unless COMMIT
// answered); while no leader is known every call to the primary fails at once
// with StoreUnavailable, so readiness goes red and requests get 503.
//
// Errors: see pg_result.hpp for SQLSTATE -> StoreError mapping. A broken
// connection is closed and replaced (with back-off); its caller gets
// StoreUnavailable. Every connection runs with statement_timeout.
//
// Metrics: orderly_store_queries_total{statement,outcome} and
// orderly_store_query_duration_seconds{statement} (as SqliteStore),
// orderly_store_reads_total{role,server} (where query() ran), and
// orderly_store_replica_lag_bytes{replica} (primary WAL position minus the
// replica's replay position, measured at most once per replica_check_interval,
// in the background of a read that used the replica). The metrics registry
// must outlive the store.
class PgStore final : public Store {
 public:
  // Parses the URIs and resolves host names (blocking, once); connects on
  // first use. Throws StoreError when a URI is not valid.
  PgStore(PgOptions options, core::metrics::Registry& metrics);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::postgres; }
  boost::asio::awaitable<Result> query(const Statement& statement, Params params, ReadOptions options) override;
  boost::asio::awaitable<CommitToken> transaction(Body body) override;
  boost::asio::awaitable<Result> execute(const Statement& statement, Params params) override;

  struct Impl;  // public so the .cpp's helpers can name it; defined there

 private:
  std::shared_ptr<Impl> impl_;  // shared with lag measurements in flight
};

}  // namespace orderly::store::postgres
