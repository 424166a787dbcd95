// PgStore against the real test servers (a PostgreSQL primary and its
// streaming replica, started by scripts/servers): routing, commit tokens,
// retries, failures and pools. The behaviour every store shares is in
// store/store_contract_test.cpp.
#include "store/postgres/postgres_store.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/migrations.hpp"
#include "store/postgres/pg_lsn.hpp"
#include "store/postgres/pg_test_support.hpp"

namespace orderly::store::postgres {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::SchemaStore;
using Clock = std::chrono::steady_clock;

constexpr Statement kCreate{"pg_test.create",
                            "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                            " stock BIGINT NOT NULL CHECK (stock >= 0))"};
constexpr Statement kInsert{"pg_test.insert", "INSERT INTO items (id, name, stock) VALUES ($1, $2, $3)"};
constexpr Statement kFind{"pg_test.find", "SELECT name, pg_is_in_recovery() AS standby FROM items WHERE id = $1"};
constexpr Statement kStock{"pg_test.stock", "SELECT stock FROM items WHERE id = $1"};
constexpr Statement kTake{"pg_test.take", "UPDATE items SET stock = stock - 1 WHERE id = $1"};
constexpr Statement kCount{"pg_test.count", "SELECT COUNT(*) AS n FROM items"};
constexpr Statement kStandby{"pg_test.standby", "SELECT pg_is_in_recovery() AS standby"};
constexpr Statement kBackendPid{"pg_test.backend_pid", "SELECT pg_backend_pid() AS pid"};
constexpr Statement kSleep{"pg_test.sleep", "SELECT pg_sleep(3)"};
constexpr Statement kTerminateSelf{"pg_test.terminate_self", "SELECT pg_terminate_backend(pg_backend_pid())"};
constexpr Statement kRepeatableRead{"pg_test.repeatable_read", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"};
// A counter that survives rollbacks (sequences are not transactional), and
// a statement that fails with SQLSTATE 40001 until the counter reaches 3.
constexpr Statement kCreateAttempts{"pg_test.create_attempts", "CREATE SEQUENCE attempts"};
constexpr Statement kFlaky{"pg_test.flaky",
                           "DO $$ BEGIN IF nextval('attempts') < 3 THEN RAISE EXCEPTION 'injected conflict'"
                           " USING ERRCODE = 'serialization_failure'; END IF; END $$"};
constexpr Statement kAttempts{"pg_test.attempts", "SELECT last_value FROM attempts"};
constexpr Statement kCreateParents{"pg_test.create_parents", "CREATE TABLE parents (id BIGINT PRIMARY KEY)"};
constexpr Statement kCreateChildren{"pg_test.create_children",
                                    "CREATE TABLE children (id BIGINT PRIMARY KEY,"
                                    " parent BIGINT NOT NULL REFERENCES parents (id))"};
constexpr Statement kInsertChild{"pg_test.insert_child", "INSERT INTO children (id, parent) VALUES ($1, $2)"};
constexpr Statement kInstances{"pg_test.instances", "SELECT COUNT(*) AS n FROM orderly_instance"};

// Runs `task` on `loop` until it has finished, for at most `limit`; returns
// its result or rethrows its exception. One loop across calls keeps its
// connection pools, as an event loop of the server would.
template <class T>
T run_on(asio::io_context& loop, asio::awaitable<T> task, std::chrono::milliseconds limit = 20s) {
  struct Outcome {  // on the heap: a task that overruns must not write to this frame later
    bool done = false;
    std::exception_ptr error;
    std::optional<T> value;
  };
  auto outcome = std::make_shared<Outcome>();
  asio::co_spawn(loop, std::move(task), [outcome](std::exception_ptr error, T value) {
    outcome->error = error;
    if (!error) outcome->value = std::move(value);
    outcome->done = true;
  });
  if (loop.stopped()) loop.restart();
  const auto deadline = Clock::now() + limit;
  while (!outcome->done && loop.run_one_until(deadline) > 0) {
  }
  if (!outcome->done) throw std::runtime_error("the task did not finish in time");
  if (outcome->error) std::rethrow_exception(outcome->error);
  return std::move(*outcome->value);
}

// A one-shot signal between coroutines of one loop; waiting is bounded.
class Event {
 public:
  explicit Event(asio::io_context& loop) : timer_(loop, Clock::time_point::max()) {}
  void set() {
    set_ = true;
    timer_.cancel();
  }
  asio::awaitable<void> wait(std::chrono::milliseconds limit = 10s) {
    if (set_) co_return;
    timer_.expires_after(limit);
    [[maybe_unused]] const auto woke = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!set_) throw std::runtime_error("event not set in time");
  }

 private:
  bool set_ = false;
  asio::steady_timer timer_;
};

// Waits (at most 500 checks, 10 ms apart) until the test replica has
// replayed `token`: the replica applies WAL on its own schedule.
asio::awaitable<void> until_replayed(std::string replica_uri, CommitToken token) {
  const auto position = parse_lsn(token.position);
  if (!position) throw std::runtime_error("not a commit token: " + token.position);
  auto server =
      std::make_shared<const PgServer>(replica_uri, PgServer::Role::replica, PgConnectionSettings{}, "test replica");
  const auto limit = Clock::now() + 10s;
  auto connection = co_await PgConnection::open(server, limit);
  asio::steady_timer pause(co_await asio::this_coro::executor);
  const std::string check = "SELECT pg_last_wal_replay_lsn() >= '" + format_lsn(*position) + "'::pg_lsn AS done";
  for (int attempt = 0; attempt < 500; ++attempt) {
    const auto replies = co_await connection->run_script(check, limit);
    if (replies.back().result.first().int64("done") == 1) co_return;
    pause.expires_after(10ms);
    co_await pause.async_wait(asio::use_awaitable);
  }
  throw std::runtime_error("the replica did not replay " + token.position + " within 500 checks");
}

using testing::ReplayPause;

class PgStoreTest : public ::testing::Test {
 protected:
  // A store in a schema of its own, with the items table.
  std::unique_ptr<SchemaStore> make_store(SchemaStore::Replicas replicas, PgOptions options = {}) {
    auto store = std::make_unique<SchemaStore>(metrics_, replicas, std::move(options));
    Store& api = *store;
    (void)core::run_sync(api.execute(kCreate));
    return store;
  }

  [[nodiscard]] bool metrics_contain(const std::string& text) const {
    return metrics_.render().find(text) != std::string::npos;
  }

  core::metrics::Registry metrics_;
};

TEST_F(PgStoreTest, ReadWithTheCommitTokenSeesTheWriteOnTheReplica) {
  const auto owned = make_store(SchemaStore::Replicas::test_replica);
  Store& store = *owned;
  const auto insert = [&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(kInsert, params(1, "widget", 5));
  };
  const auto token = core::run_sync(store.transaction(insert));
  ASSERT_TRUE(parse_lsn(token.position)) << token.position;

  ReadOptions after_write;
  after_write.at_least = token;
  // Whichever server answers (the replica only once it has replayed the commit), the row is there.
  const auto at_once = core::run_sync(store.query(kFind, params(1), after_write));
  ASSERT_EQ(at_once.rows.size(), 1U);
  EXPECT_EQ(at_once.first().text("name"), "widget");

  // Once the replica has the commit, the same read is served by the replica.
  core::run_sync(until_replayed(owned->replica_uri(), token));
  const auto replayed = core::run_sync(store.query(kFind, params(1), after_write));
  ASSERT_EQ(replayed.rows.size(), 1U);
  EXPECT_EQ(replayed.first().text("name"), "widget");
  EXPECT_EQ(replayed.first().int64("standby"), 1) << "a replica that has replayed the commit serves the read";

  // A commit no replica has replayed yet: the primary answers.
  ReadOptions ahead;
  ahead.at_least = CommitToken{"FFFFFFFF/FFFFFFFF"};
  const auto from_primary = core::run_sync(store.query(kFind, params(1), ahead));
  ASSERT_EQ(from_primary.rows.size(), 1U);
  EXPECT_EQ(from_primary.first().int64("standby"), 0);

  ReadOptions bad;
  bad.at_least = CommitToken{"not-a-position"};
  EXPECT_THROW(core::run_sync(store.query(kFind, params(1), bad)), StoreError);
}

TEST_F(PgStoreTest, ReadYourWritesHoldsWhileTheReplicaIsMadeToLag) {
  // The fixture's second replica, which no other test reads: pausing its
  // replay holds up no one else, under ctest -j or after a killed run.
  const auto owned = make_store(SchemaStore::Replicas::lagging_replica);
  Store& store = *owned;
  // A run killed while replay was paused left it so: resume before waiting on it.
  const ReplayPause replay(owned->replica_uri());
  replay.resume();
  const auto first = core::run_sync(store.transaction([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(kInsert, params(1, "old", 1));
  }));
  core::run_sync(until_replayed(owned->replica_uri(), first));

  // The next WAL record is held back from here on; the guard resumes replay
  // however the test ends (a failed assertion returns, an exception unwinds).
  replay.pause();

  const auto write = core::run_sync(store.transaction([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(kInsert, params(2, "new", 1));
  }));

  const auto stale = core::run_sync(store.query(kFind, params(2)));
  EXPECT_TRUE(stale.empty()) << "the replica must lag for this test to mean anything";

  ReadOptions after_write;
  after_write.at_least = write;
  const auto fresh = core::run_sync(store.query(kFind, params(2), after_write));
  ASSERT_EQ(fresh.rows.size(), 1U) << "a read with the write's token must see the write";
  EXPECT_EQ(fresh.first().text("name"), "new");
  EXPECT_EQ(fresh.first().int64("standby"), 0) << "the lagging replica is skipped for the primary";
}

TEST_F(PgStoreTest, ReadsWithoutATokenUseTheReplicaAndExportItsLag) {
  const auto owned = make_store(SchemaStore::Replicas::test_replica);
  Store& store = *owned;
  const auto replica = PgServer(owned->schema().replica_uri(), PgServer::Role::replica, {}, "replica").address();
  const auto lag_series = "orderly_store_replica_lag_bytes{replica=\"" + replica + "\"}";
  EXPECT_FALSE(metrics_contain(lag_series)) << "measured before any read";

  EXPECT_EQ(core::run_sync(store.query(kStandby)).first().int64("standby"), 1);
  EXPECT_TRUE(metrics_contain(lag_series)) << metrics_.render();
  EXPECT_TRUE(metrics_contain("orderly_store_reads_total{role=\"replica\",server=\"" + replica + "\"} 1"))
      << metrics_.render();

  ReadOptions primary_only;
  primary_only.allow_replica = false;
  EXPECT_EQ(core::run_sync(store.query(kStandby, {}, primary_only)).first().int64("standby"), 0);
  EXPECT_TRUE(metrics_contain("orderly_store_reads_total{role=\"primary\""));
}

TEST_F(PgStoreTest, InjectedSerializationFailureIsRetried) {
  const auto owned = make_store(SchemaStore::Replicas::none);
  Store& store = *owned;
  (void)core::run_sync(store.execute(kCreateAttempts));
  int runs = 0;
  const auto body = [&](Transaction& tx) -> asio::awaitable<void> {
    ++runs;
    co_await tx.execute(kInsert, params(1, "once", 1));
    co_await tx.execute(kFlaky);  // 40001 on the first two runs
  };
  (void)core::run_sync(store.transaction(body));
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(core::run_sync(store.query(kAttempts)).first().int64("last_value"), 3);
  EXPECT_EQ(core::run_sync(store.query(kCount)).first().int64("n"), 1) << "failed runs were rolled back";
}

TEST_F(PgStoreTest, SerializationFailureGivesUpAfterTheAttempts) {
  PgOptions options;
  options.max_transaction_attempts = 2;
  const auto owned = make_store(SchemaStore::Replicas::none, options);
  Store& store = *owned;
  (void)core::run_sync(store.execute(kCreateAttempts));
  int runs = 0;
  const auto body = [&](Transaction& tx) -> asio::awaitable<void> {
    ++runs;
    co_await tx.execute(kFlaky);
  };
  EXPECT_THROW(core::run_sync(store.transaction(body)), SerializationFailure);
  EXPECT_EQ(runs, 2);
}

TEST_F(PgStoreTest, ConcurrentUpdateUnderRepeatableReadIsRetried) {
  const auto owned = make_store(SchemaStore::Replicas::none);
  Store& store = *owned;
  (void)core::run_sync(store.execute(kInsert, params(1, "contended", 10)));

  // The first run takes its snapshot, then a concurrent update commits, then
  // the first run updates the same row: PostgreSQL refuses with 40001, and
  // the store runs the body again on a fresh snapshot.
  asio::io_context loop;
  Event snapshot_taken(loop);
  Event other_committed(loop);
  int runs = 0;
  const auto body = [&](Transaction& tx) -> asio::awaitable<void> {
    ++runs;
    co_await tx.execute(kRepeatableRead);
    [[maybe_unused]] const auto before = co_await tx.execute(kStock, params(1));  // takes the snapshot
    if (runs == 1) {
      snapshot_taken.set();
      co_await other_committed.wait();
    }
    co_await tx.execute(kTake, params(1));
  };
  const auto other = [&]() -> asio::awaitable<void> {
    co_await snapshot_taken.wait();
    (void)co_await store.execute(kTake, params(1));
    other_committed.set();
  };
  std::exception_ptr other_failed;
  asio::co_spawn(loop, other, [&](std::exception_ptr error) { other_failed = error; });
  (void)run_on(loop, store.transaction(body));
  EXPECT_FALSE(other_failed);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(run_on(loop, store.query(kStock, params(1))).first().int64("stock"), 8);
}

TEST_F(PgStoreTest, ForeignKeyAndNotNullViolationsAreTyped) {
  const auto owned = make_store(SchemaStore::Replicas::none);
  Store& store = *owned;
  (void)core::run_sync(store.execute(kCreateParents));
  (void)core::run_sync(store.execute(kCreateChildren));
  try {
    (void)core::run_sync(store.execute(kInsertChild, params(1, 42)));
    FAIL() << "a child without a parent was accepted";
  } catch (const ConstraintViolation& violation) {
    EXPECT_EQ(violation.kind(), ConstraintViolation::Kind::foreign_key);
  }
  try {
    (void)core::run_sync(store.execute(kInsertChild, params(1, std::nullopt)));
    FAIL() << "a NULL parent was accepted";
  } catch (const ConstraintViolation& violation) {
    EXPECT_EQ(violation.kind(), ConstraintViolation::Kind::not_null);
  }
}

TEST_F(PgStoreTest, AFailedStatementFailsTheCommitEvenWhenTheBodyCaughtIt) {
  const auto owned = make_store(SchemaStore::Replicas::none);
  Store& store = *owned;
  (void)core::run_sync(store.execute(kInsert, params(1, "first", 1)));
  const auto body = [&](Transaction& tx) -> asio::awaitable<void> {
    (void)co_await tx.execute(kInsert, params(2, "second", 1));
    try {
      (void)co_await tx.execute(kInsert, params(1, "duplicate", 1));
    } catch (const ConstraintViolation&) {
      // PostgreSQL has aborted the transaction all the same.
    }
  };
  EXPECT_THROW((void)core::run_sync(store.transaction(body)), StoreError);
  EXPECT_EQ(core::run_sync(store.query(kCount)).first().int64("n"), 1);
}

TEST_F(PgStoreTest, TextWithANulByteIsRefusedBeforeItIsSent) {
  const auto owned = make_store(SchemaStore::Replicas::none);
  Store& store = *owned;
  int inserted = 0;
  const auto body = [&](Transaction& tx) -> asio::awaitable<void> {
    try {
      (void)co_await tx.execute(kInsert, params(1, std::string("a\0b", 3), 1));
    } catch (const StoreError&) {
      // Refused on this side: the transaction and its connection carry on.
    }
    (void)co_await tx.execute(kInsert, params(2, "fine", 1));
    ++inserted;
  };
  (void)core::run_sync(store.transaction(body));
  EXPECT_EQ(inserted, 1);
  EXPECT_EQ(core::run_sync(store.query(kCount)).first().int64("n"), 1);
}

TEST_F(PgStoreTest, StatementTimeoutIsAStoreErrorAndKeepsTheConnection) {
  PgOptions options;
  options.connections.pool_size = 1;
  options.connections.statement_timeout = 200ms;
  const auto owned = make_store(SchemaStore::Replicas::none, options);
  Store& store = *owned;
  asio::io_context loop;
  const auto pid = run_on(loop, store.query(kBackendPid)).first().int64("pid");
  try {
    (void)run_on(loop, store.query(kSleep));
    FAIL() << "pg_sleep(3) outlived a 200 ms statement_timeout";
  } catch (const StoreUnavailable& error) {
    FAIL() << "a cancelled statement is not an unreachable store: " << error.what();
  } catch (const StoreError& error) {
    EXPECT_THAT(error.what(), HasSubstr("57014"));
  }
  EXPECT_EQ(run_on(loop, store.query(kBackendPid)).first().int64("pid"), pid) << "the connection was kept";
}

TEST_F(PgStoreTest, ConnectionClosedByTheServerIsReplaced) {
  PgOptions options;
  options.connections.pool_size = 1;
  const auto owned = make_store(SchemaStore::Replicas::none, options);
  Store& store = *owned;
  asio::io_context loop;
  const auto first = run_on(loop, store.query(kBackendPid)).first().int64("pid");
  // From outside, while the connection is idle in the pool; the timeout
  // argument (PostgreSQL 14+) waits until the backend has exited.
  const auto killed = testing::run_sql(owned->schema().primary_uri(),
                                       "SELECT pg_terminate_backend(" + std::to_string(first) + ", 5000) AS done");
  ASSERT_EQ(killed.first().int64("done"), 1);
  const auto second = run_on(loop, store.query(kBackendPid)).first().int64("pid");
  EXPECT_NE(second, first);

  // Broken while in use: the caller learns it, the next caller gets a new connection.
  EXPECT_THROW((void)run_on(loop, store.execute(kTerminateSelf)), StoreUnavailable);
  const auto third = run_on(loop, store.query(kBackendPid)).first().int64("pid");
  EXPECT_NE(third, second);
}

TEST_F(PgStoreTest, FullPoolWaitsThenTimesOutWithStoreUnavailable) {
  PgOptions options;
  options.connections.pool_size = 1;
  options.connections.acquire_timeout = 200ms;
  const auto owned = make_store(SchemaStore::Replicas::none, options);
  Store& store = *owned;
  asio::io_context loop;
  Event holding(loop);
  Event release(loop);
  const auto hold = [&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(kStandby);
    holding.set();
    co_await release.wait();
  };
  const auto holder = [&]() -> asio::awaitable<void> { (void)co_await store.transaction(hold); };
  std::exception_ptr holder_failed = std::make_exception_ptr(std::runtime_error("holder did not finish"));
  asio::co_spawn(loop, holder, [&](std::exception_ptr error) { holder_failed = error; });

  const auto waiter = [&]() -> asio::awaitable<Clock::duration> {
    co_await holding.wait();
    const auto started = Clock::now();
    try {
      (void)co_await store.query(kStandby);
    } catch (const StoreUnavailable&) {
      release.set();
      co_return Clock::now() - started;
    }
    release.set();
    throw std::runtime_error("a second connection came from a pool of one");
  };
  const auto waited = run_on(loop, waiter());
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 2s);
  // The holder commits and gives its connection back; the next caller gets it.
  EXPECT_EQ(run_on(loop, store.query(kStandby)).first().int64("standby"), 0);
  EXPECT_FALSE(holder_failed);
}

TEST_F(PgStoreTest, WaitersAreHandedConnectionsInTurn) {
  PgOptions options;
  options.connections.pool_size = 2;
  const auto owned = make_store(SchemaStore::Replicas::none, options);
  Store& store = *owned;
  asio::io_context loop;
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    const auto one = [&store, &done, i]() -> asio::awaitable<void> {
      (void)co_await store.execute(kInsert, params(i, "item-" + std::to_string(i), 1));
      ++done;
    };
    asio::co_spawn(loop, one, asio::detached);
  }
  loop.run_for(20s);
  EXPECT_EQ(done, 20);
  EXPECT_EQ(core::run_sync(store.query(kCount)).first().int64("n"), 20);
}

TEST_F(PgStoreTest, LoopsOnSeveralThreadsShareOneStore) {
  const auto owned = make_store(SchemaStore::Replicas::test_replica);
  Store& store = *owned;
  std::vector<std::thread> threads;
  std::vector<int> written(2, 0);
  for (int thread = 0; thread < 2; ++thread) {
    threads.emplace_back([&store, &written, thread] {
      asio::io_context loop;
      const auto work = [&store, &written, thread]() -> asio::awaitable<void> {
        for (int i = 0; i < 10; ++i) {
          const int id = thread * 100 + i;
          (void)co_await store.execute(kInsert, params(id, "t" + std::to_string(id), 1));
          (void)co_await store.query(kStandby);
          ++written[static_cast<std::size_t>(thread)];
        }
      };
      asio::co_spawn(loop, work, asio::detached);
      loop.run_for(20s);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(written, (std::vector<int>{10, 10}));
  ReadOptions primary_only;
  primary_only.allow_replica = false;
  EXPECT_EQ(core::run_sync(store.query(kCount, {}, primary_only)).first().int64("n"), 20);
}

TEST_F(PgStoreTest, MigrationsRunOnPostgres) {
  const auto owned = make_store(SchemaStore::Replicas::test_replica);
  Store& store = *owned;
  const auto migrations = orderly_migrations();
  std::vector<int> versions;
  for (const auto& migration : migrations) versions.push_back(migration.version);
  ASSERT_FALSE(versions.empty());
  const auto first = core::run_sync(migrate(store, migrations));
  EXPECT_EQ(first.applied, versions);
  EXPECT_EQ(first.current, versions.back());
  const auto again = core::run_sync(migrate(store, migrations));
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.current, versions.back());
  ReadOptions primary_only;
  primary_only.allow_replica = false;
  EXPECT_EQ(core::run_sync(store.query(kInstances, {}, primary_only)).first().int64("n"), 1);
}

// A port on 127.0.0.1 where nothing listens: the kernel picked it free, and it was closed again.
std::uint16_t closed_port() {
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(PgStoreUnreachable, RefusedPrimaryIsUnavailableAtOnceThenBacksOff) {
  PgOptions options;
  options.primary = "postgresql://orderly@127.0.0.1:" + std::to_string(closed_port()) + "/orderly";
  options.connections.connect_timeout = 2s;
  core::metrics::Registry metrics;
  PgStore pg(options, metrics);
  Store& store = pg;
  asio::io_context loop;
  const auto started = Clock::now();
  EXPECT_THROW((void)run_on(loop, store.query(kStandby)), StoreUnavailable);
  EXPECT_LT(Clock::now() - started, 2s);
  try {
    (void)run_on(loop, store.transaction([](Transaction&) -> asio::awaitable<void> { co_return; }));
    FAIL() << "a transaction without a primary";
  } catch (const StoreUnavailable& error) {
    EXPECT_THAT(error.what(), HasSubstr("back-off")) << "the second call fails fast instead of connecting again";
  }
}

TEST(PgStoreUnreachable, SilentPrimaryIsUnavailableAfterTheConnectTimeout) {
  // Accepts TCP connections (the kernel's backlog does) but never answers.
  asio::io_context silent;
  asio::ip::tcp::acceptor acceptor(silent, {asio::ip::make_address("127.0.0.1"), 0});
  PgOptions options;
  options.primary = "postgresql://orderly@127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/orderly";
  options.connections.connect_timeout = 300ms;
  core::metrics::Registry metrics;
  PgStore pg(options, metrics);
  Store& store = pg;
  asio::io_context loop;
  const auto started = Clock::now();
  EXPECT_THROW((void)run_on(loop, store.execute(kStandby)), StoreUnavailable);
  const auto waited = Clock::now() - started;
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 3s);
}

}  // namespace
}  // namespace orderly::store::postgres
