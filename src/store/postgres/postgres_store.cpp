#include "store/postgres/postgres_store.hpp"

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/logging.hpp"
#include "net/loop_pools.hpp"
#include "store/statement_metrics.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/patroni_leader.hpp"
#include "store/postgres/pg_lsn.hpp"
#include "store/postgres/pg_pool.hpp"

namespace orderly::store::postgres {
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

constexpr Statement kReplayPosition{"postgres.replay_position", "SELECT pg_last_wal_replay_lsn()::text AS lsn"};
constexpr Statement kCurrentPosition{"postgres.current_position", "SELECT pg_current_wal_lsn()::text AS lsn"};
// One round trip: the commit, then the WAL position it reached (the CommitToken).
constexpr std::string_view kCommit = "COMMIT; SELECT pg_current_wal_lsn()::text AS lsn";

std::int64_t ticks(Clock::time_point time) {
  return time.time_since_epoch().count();
}

// One replica and what the store knows of it; shared by every loop, so atomics.
struct Replica {
  Replica(std::shared_ptr<const PgServer> replica_server, core::metrics::Counter& served)
      : server(std::move(replica_server)), reads(served) {}

  // True when a recent measurement shows it has replayed `position`.
  [[nodiscard]] bool known_to_have(std::uint64_t position, Clock::time_point now, Clock::duration fresh) const {
    const auto measured_at = replayed_at.load(std::memory_order_acquire);
    return measured_at != 0 && ticks(now) - measured_at < fresh.count() &&
           replayed.load(std::memory_order_relaxed) >= position;
  }

  // Claims the next lag measurement for the caller if one is due (one caller wins, on any loop).
  bool claim_lag_measurement(Clock::time_point now, Clock::duration interval) {
    auto due = lag_due.load(std::memory_order_relaxed);
    return ticks(now) >= due && lag_due.compare_exchange_strong(due, ticks(now + interval));
  }

  std::shared_ptr<const PgServer> server;
  core::metrics::Counter& reads;
  std::atomic<std::uint64_t> replayed{0};    // a replay position it had reached at replayed_at
  std::atomic<std::int64_t> replayed_at{0};  // steady-clock ticks; 0: never measured
  std::atomic<std::int64_t> lag_due{0};      // steady-clock ticks of the next lag measurement
};

std::shared_ptr<const PgServer> server_from(const std::string& uri, PgServer::Role role,
                                            const PgConnectionSettings& settings, std::string_view what) {
  return std::make_shared<const PgServer>(uri, role, settings, what);
}

void check(const PgOptions& options) {
  const auto& c = options.connections;
  if (options.primary.empty()) throw StoreError("store.postgres_primary: a primary URI is required");
  if (c.pool_size == 0) throw StoreError("store.postgres_pool_size: at least one connection is needed");
  if (c.connect_timeout.count() <= 0 || c.statement_timeout.count() <= 0 || c.acquire_timeout.count() <= 0) {
    throw StoreError("postgres store: timeouts must be positive");
  }
  if (c.reconnect_backoff.count() <= 0 || c.reconnect_backoff_max < c.reconnect_backoff) {
    throw StoreError("postgres store: the reconnect back-off must be positive and at most its maximum");
  }
  if (options.max_transaction_attempts == 0) throw StoreError("postgres store: at least one transaction attempt");
  if (!options.patroni.empty()) {
    const auto hosts = PgServer::host_count(options.primary, "store.postgres_primary");
    if (hosts != options.patroni.size()) {
      throw StoreError("store.patroni lists " + std::to_string(options.patroni.size()) +
                       " REST APIs, store.postgres_primary " + std::to_string(hosts) + " hosts: one per host, in order");
    }
    if (options.patroni_interval.count() <= 0) throw StoreError("postgres store: the Patroni interval must be positive");
  }
}

// One server per host under Patroni (each may lead), else the primary URI as it is.
std::vector<std::shared_ptr<const PgServer>> primaries_from(const PgOptions& options) {
  std::vector<std::shared_ptr<const PgServer>> servers;
  if (options.patroni.empty()) {
    servers.push_back(
        server_from(options.primary, PgServer::Role::primary, options.connections, "store.postgres_primary"));
    return servers;
  }
  for (std::size_t host = 0; host < options.patroni.size(); ++host) {
    servers.push_back(std::make_shared<const PgServer>(options.primary, PgServer::Role::primary, options.connections,
                                                       "store.postgres_primary", host));
  }
  return servers;
}

}  // namespace

// Shared with the lag measurements running in the background, which may
// outlive the PgStore by the time of one measurement.
struct PgStore::Impl : std::enable_shared_from_this<PgStore::Impl> {
  Impl(PgOptions opts, core::metrics::Registry& registry)
      : options((check(opts), std::move(opts))),
        primaries(primaries_from(options)),
        statements(registry),
        reads(registry.counter("orderly_store_reads_total",
                               "Reads outside transactions, by the server that ran them (role: primary or replica).",
                               {"role", "server"})),
        lag(registry.gauge("orderly_store_replica_lag_bytes",
                           "WAL bytes the primary has written that a replica has not replayed yet, last measured.",
                           {"replica"})) {
    for (const auto& server : primaries) primary_reads.push_back(&reads.with_labels({"primary", server->address()}));
    if (!options.patroni.empty()) {
      leader = std::make_unique<PatroniLeader>(PatroniOptions{options.patroni, options.patroni_interval});
    }
    for (const auto& uri : options.replicas) {
      auto server = server_from(uri, PgServer::Role::replica, options.connections, "store.postgres_replicas");
      auto& served = reads.with_labels({"replica", server->address()});
      replicas.push_back(std::make_unique<Replica>(std::move(server), served));
    }
  }

  [[nodiscard]] PgConnection::Deadline deadline(const PgServer& server) const {
    return Clock::now() + server.answer_timeout();
  }

  // The index of the server that is the primary now; StoreUnavailable while no leader is known.
  [[nodiscard]] std::size_t primary_index() const {
    if (!leader) return 0;
    const auto index = leader->leader();
    if (index == PatroniLeader::kNone) {
      throw StoreUnavailable("postgres: no leader known (no Patroni node says it is the primary); retry shortly");
    }
    return index;
  }
  [[nodiscard]] const std::shared_ptr<const PgServer>& primary() const { return primaries[primary_index()]; }

  // After a failure on the primary: under Patroni, ask who leads now rather than at the next round.
  void primary_failed() const {
    if (leader) leader->recheck();
  }

  // This loop's pool for `server`, created on first use.
  std::shared_ptr<PgPool> pool_for(const asio::any_io_executor& loop, const std::shared_ptr<const PgServer>& server) {
    auto& service = asio::use_service<PgLoopService>(asio::query(loop, asio::execution::context));
    auto [pool, created] = service.pool(loop, server);
    if (created) {
      const std::lock_guard lock(pools_mutex);
      std::erase_if(pools, [](const auto& known) { return known.expired(); });
      pools.push_back(pool);
    }
    return pool;
  }

  asio::awaitable<PgLease> acquire(const std::shared_ptr<const PgServer>& server) {
    const auto loop = co_await asio::this_coro::executor;
    auto pool = pool_for(loop, server);
    auto lease = co_await pool->acquire();
    co_return lease;
  }

  void record(const Statement& statement, const char* outcome, Clock::time_point started) {
    statements.record(statement, outcome, started);
  }

  asio::awaitable<Result> measured(PgConnection& connection, Statement statement, const Params& params) {
    const auto started = Clock::now();
    try {
      auto result = co_await connection.run(statement, params, deadline(connection.server()));
      record(statement, "ok", started);
      co_return result;
    } catch (const std::exception&) {
      record(statement, "error", started);
      throw;
    }
  }

  Replica& next_replica() {
    return *replicas[next_replica_index.fetch_add(1, std::memory_order_relaxed) % replicas.size()];
  }

  asio::awaitable<std::optional<Result>> read_on_replica(Replica& replica, Statement statement, const Params& params,
                                                         std::optional<std::uint64_t> needed);
  asio::awaitable<std::optional<std::uint64_t>> replay_position(Replica& replica, PgConnection& connection);
  static asio::awaitable<void> measure_lag(std::shared_ptr<Impl> self, Replica& replica);
  asio::awaitable<CommitToken> commit(PgConnection& connection);
  asio::awaitable<void> rollback(PgConnection& connection);

  PgOptions options;
  std::vector<std::shared_ptr<const PgServer>> primaries;  // one; or, under Patroni, one per host
  std::unique_ptr<PatroniLeader> leader;                   // under Patroni only
  std::vector<std::unique_ptr<Replica>> replicas;
  std::atomic<std::size_t> next_replica_index{0};
  StatementMetrics statements;
  core::metrics::Family<core::metrics::Counter>& reads;
  core::metrics::Family<core::metrics::Gauge>& lag;
  std::vector<core::metrics::Counter*> primary_reads;  // per primary server
  std::mutex pools_mutex;
  std::vector<std::weak_ptr<PgPool>> pools;  // one per loop and server that used the store
};

namespace {

// The handle a transaction body gets: statements on the connection that holds the transaction.
class PgTransaction final : public Transaction {
 public:
  PgTransaction(PgStore::Impl& impl, PgConnection& connection) : impl_(impl), connection_(connection) {}

  asio::awaitable<Result> execute(const Statement& statement, Params params) override {
    auto result = co_await impl_.measured(connection_, statement, params);
    co_return result;
  }

  asio::awaitable<void> execute_script(std::string_view sql) override {
    [[maybe_unused]] const auto replies =
        co_await connection_.run_script(std::string(sql), impl_.deadline(connection_.server()));
  }

 private:
  PgStore::Impl& impl_;
  PgConnection& connection_;
};

}  // namespace

// Runs the read on `replica` unless it is known to lag behind `needed` or
// cannot serve it now (unreachable, or a recovery conflict cancelled the
// read); nullopt sends the caller to the primary. Starts a measurement of
// the replica's lag when one is due; the read does not wait for it.
asio::awaitable<std::optional<Result>> PgStore::Impl::read_on_replica(Replica& replica, Statement statement,
                                                                      const Params& params,
                                                                      std::optional<std::uint64_t> needed) {
  const auto now = Clock::now();
  if (replica.claim_lag_measurement(now, options.replica_check_interval)) {
    const auto loop = co_await asio::this_coro::executor;
    asio::co_spawn(loop, measure_lag(shared_from_this(), replica), asio::detached);
  }
  std::optional<Result> result;
  std::string unavailable;
  try {
    auto lease = co_await acquire(replica.server);
    bool behind = false;
    if (needed && !replica.known_to_have(*needed, now, options.replica_check_interval)) {
      const auto replayed = co_await replay_position(replica, *lease);
      behind = !replayed || *replayed < *needed;
    }
    if (!behind) result = co_await measured(*lease, statement, params);
  } catch (const StoreUnavailable& error) {
    unavailable = error.what();
  } catch (const SerializationFailure& error) {
    unavailable = error.what();
  }
  if (!unavailable.empty()) {
    core::log::warn("store.replica_unavailable", {{"replica", replica.server->address()}, {"error", unavailable}});
  }
  if (result) replica.reads.inc();
  co_return result;
}

// The replica's replay position now (nullopt when it is not replaying: a
// promoted replica), remembered for later reads.
asio::awaitable<std::optional<std::uint64_t>> PgStore::Impl::replay_position(Replica& replica,
                                                                             PgConnection& connection) {
  const Params none;
  const auto answer = co_await connection.run(kReplayPosition, none, deadline(*replica.server));
  const auto text = answer.first().optional_text("lsn");
  const auto position = text ? parse_lsn(*text) : std::nullopt;
  if (position) {
    replica.replayed.store(*position, std::memory_order_relaxed);
    replica.replayed_at.store(ticks(Clock::now()), std::memory_order_release);
  }
  co_return position;
}

// Sets the replica's lag gauge: the primary's current WAL position minus the
// replica's replay position, read one after the other (never holding two
// connections), so the lag is never under-stated.
asio::awaitable<void> PgStore::Impl::measure_lag(std::shared_ptr<Impl> self, Replica& replica) {
  std::optional<std::uint64_t> replayed;
  std::optional<std::uint64_t> current;
  std::string failure;
  try {
    {
      auto lease = co_await self->acquire(replica.server);
      replayed = co_await self->replay_position(replica, *lease);
    }
    if (replayed) {
      const auto primary = self->primary();
      auto lease = co_await self->acquire(primary);
      const Params none;
      const auto answer = co_await lease->run(kCurrentPosition, none, self->deadline(*primary));
      current = parse_lsn(answer.first().text("lsn"));
    }
  } catch (const StoreError& error) {
    failure = error.what();
  }
  if (!failure.empty()) {
    core::log::warn("store.replica_lag_unknown", {{"replica", replica.server->address()}, {"error", failure}});
  }
  if (replayed && current) {
    self->lag.with_labels({replica.server->address()})
        .set(static_cast<double>(*current > *replayed ? *current - *replayed : 0));
  }
}

asio::awaitable<CommitToken> PgStore::Impl::commit(PgConnection& connection) {
  const auto replies = co_await connection.run_script(std::string(kCommit), deadline(connection.server()));
  // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not an error.
  if (replies.size() != 2 || replies[0].command != "COMMIT") {
    throw StoreError("transaction rolled back at COMMIT: a statement in it failed (and the body caught the error)");
  }
  co_return CommitToken{replies[1].result.first().text("lsn")};
}

asio::awaitable<void> PgStore::Impl::rollback(PgConnection& connection) {
  if (connection.lost() || !connection.in_transaction()) co_return;
  std::string failure;
  try {
    [[maybe_unused]] const auto replies = co_await connection.run_script("ROLLBACK", deadline(connection.server()));
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (!failure.empty()) {
    // Its state is unknown: the pool closes it rather than hand out an open transaction.
    connection.discard();
    core::log::warn("store.rollback_failed", {{"server", connection.server().address()}, {"error", failure}});
  }
}

PgStore::PgStore(PgOptions options, core::metrics::Registry& metrics)
    : impl_(std::make_shared<Impl>(std::move(options), metrics)) {}

PgStore::~PgStore() {
  const std::lock_guard lock(impl_->pools_mutex);
  net::close_pools_on_their_loops<PgLoopService>(impl_->pools, &PgPool::server_key);
}

asio::awaitable<Result> PgStore::query(const Statement& statement, Params params, ReadOptions options) {
  auto& impl = *impl_;
  if (options.allow_replica && !impl.replicas.empty()) {
    std::optional<std::uint64_t> needed;
    if (options.at_least && !options.at_least->position.empty()) {
      needed = parse_lsn(options.at_least->position);
      if (!needed) throw StoreError("commit token '" + options.at_least->position + "' is not a WAL position");
    }
    auto served = co_await impl.read_on_replica(impl.next_replica(), statement, params, needed);
    if (served) co_return std::move(*served);
  }
  const auto index = impl.primary_index();
  impl.primary_reads[index]->inc();
  std::optional<Result> result;
  try {
    auto lease = co_await impl.acquire(impl.primaries[index]);
    result = co_await impl.measured(*lease, statement, params);
  } catch (const StoreUnavailable&) {
    impl.primary_failed();
    throw;
  }
  co_return std::move(*result);
}

asio::awaitable<CommitToken> PgStore::transaction(Body body) {
  auto& impl = *impl_;
  // Each attempt on the server that leads when it begins.
  for (unsigned attempt = 1;; ++attempt) {
    std::exception_ptr failure;
    std::string retry_reason;
    bool unavailable = false;
    std::optional<PgLease> lease;
    // co_await may not appear in a handler: the handlers only note what happened.
    try {
      const auto primary = impl.primary();
      lease.emplace(co_await impl.acquire(primary));
      [[maybe_unused]] const auto begun = co_await (*lease)->run_script("BEGIN", impl.deadline(*primary));
      PgTransaction tx(impl, **lease);
      co_await body(tx);
      auto token = co_await impl.commit(**lease);
      co_return token;
    } catch (const SerializationFailure& error) {
      failure = std::current_exception();
      retry_reason = error.what();
    } catch (const StoreUnavailable&) {
      failure = std::current_exception();
      unavailable = true;
    } catch (...) {
      failure = std::current_exception();
    }
    if (lease) co_await impl.rollback(**lease);
    if (unavailable) impl.primary_failed();
    if (retry_reason.empty() || attempt >= impl.options.max_transaction_attempts) std::rethrow_exception(failure);
    core::log::warn("store.transaction_retry", {{"attempt", attempt}, {"error", retry_reason}});
  }
}

asio::awaitable<Result> PgStore::execute(const Statement& statement, Params params) {
  auto& impl = *impl_;
  // Outside BEGIN, the statement is its own transaction: after a
  // serialization failure or deadlock nothing of it remains, so it may run again.
  for (unsigned attempt = 1;; ++attempt) {
    std::optional<Result> result;
    std::string retry_reason;
    try {
      auto lease = co_await impl.acquire(impl.primary());
      result = co_await impl.measured(*lease, statement, params);
    } catch (const SerializationFailure& error) {
      if (attempt >= impl.options.max_transaction_attempts) throw;
      retry_reason = error.what();
    } catch (const StoreUnavailable&) {
      impl.primary_failed();
      throw;
    }
    if (result) co_return std::move(*result);
    core::log::warn("store.transaction_retry",
                    {{"attempt", attempt}, {"statement", statement.name}, {"error", retry_reason}});
  }
}

}  // namespace orderly::store::postgres
