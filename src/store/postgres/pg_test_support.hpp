#pragma once

// Test-only: PostgreSQL stores for the tests (store_contract_test.cpp,
// postgres_store_test.cpp), each in a schema of its own on the test servers
// (ORDERLY_TEST_PG_PRIMARY / ORDERLY_TEST_PG_REPLICA, see
// core/test_servers.hpp), so tests in parallel processes (ctest -j) never see
// each other's tables. ORDERLY_TEST_PG_LAGGING_REPLICA is a second replica
// that only the test pausing WAL replay uses: a paused replica (even one left
// paused by a killed test) never holds up the tests of the shared one. No
// production code includes it.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <random>
#include <functional>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "core/test_servers.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_store.hpp"

namespace orderly::store::postgres::testing {

// `uri` with `schema` as its connections' search_path.
inline std::string with_search_path(const std::string& uri, const std::string& schema) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

inline boost::asio::awaitable<std::vector<PgConnection::Reply>> run_sql_on(std::shared_ptr<const PgServer> server,
                                                                           std::string sql) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto connection = co_await PgConnection::open(std::move(server), deadline);
  auto replies = co_await connection->run_script(std::move(sql), deadline);
  co_return replies;
}

// Runs `sql` (simple protocol) on a connection of its own to `uri`, outside
// any store, and returns the last statement's rows.
inline Result run_sql(const std::string& uri, const std::string& sql) {
  auto server = std::make_shared<const PgServer>(uri, PgServer::Role::primary, PgConnectionSettings{}, "test server");
  auto replies = core::run_sync(run_sql_on(std::move(server), sql));
  return replies.empty() ? Result{} : std::move(replies.back().result);
}

// A schema of its own on the test primary, dropped (with everything in it)
// when this goes away. The replica sees it once it has replayed its creation.
class TestSchema {
 public:
  TestSchema() : primary_(orderly::testing::test_server_setting("ORDERLY_TEST_PG_PRIMARY")), name_(unique_name()) {
    run_sql(primary_, "CREATE SCHEMA " + name_);
  }
  ~TestSchema() {
    try {
      run_sql(primary_, "DROP SCHEMA " + name_ + " CASCADE");
    } catch (const std::exception& error) {
      std::cerr << "test schema " << name_ << " not dropped: " << error.what() << "\n";
    }
  }
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::string primary_uri() const { return with_search_path(primary_, name_); }
  [[nodiscard]] std::string replica_uri() const {
    return with_search_path(orderly::testing::test_server_setting("ORDERLY_TEST_PG_REPLICA"), name_);
  }
  [[nodiscard]] std::string lagging_replica_uri() const {
    return with_search_path(orderly::testing::test_server_setting("ORDERLY_TEST_PG_LAGGING_REPLICA"), name_);
  }

 private:
  static std::string unique_name() {
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    return "orderly_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(random() % 1'000'000);
  }

  std::string primary_;
  std::string name_;
};

// A PgStore whose connections work in a TestSchema, dropped after the store.
class SchemaStore final : public Store {
 public:
  // test_replica: the shared replica; lagging_replica: the one only the
  // test that pauses replay uses.
  enum class Replicas { none, test_replica, lagging_replica };

  explicit SchemaStore(core::metrics::Registry& metrics, Replicas replicas = Replicas::none, PgOptions options = {})
      : replica_uri_(replica_of(replicas)), store_(with_schema(std::move(options)), metrics) {}

  [[nodiscard]] Dialect dialect() const override { return store_.dialect(); }
  boost::asio::awaitable<Result> query(const Statement& statement, Params params, ReadOptions options) override {
    return store_.query(statement, std::move(params), std::move(options));
  }
  boost::asio::awaitable<CommitToken> transaction(Body body) override { return store_.transaction(std::move(body)); }
  boost::asio::awaitable<Result> execute(const Statement& statement, Params params) override {
    return store_.execute(statement, std::move(params));
  }

  [[nodiscard]] const TestSchema& schema() const { return schema_; }
  // The replica this store reads from (empty with Replicas::none).
  [[nodiscard]] const std::string& replica_uri() const { return replica_uri_; }

 private:
  [[nodiscard]] std::string replica_of(Replicas replicas) const {
    switch (replicas) {
      case Replicas::none:
        return {};
      case Replicas::test_replica:
        return schema_.replica_uri();
      case Replicas::lagging_replica:
        return schema_.lagging_replica_uri();
    }
    return {};
  }
  PgOptions with_schema(PgOptions options) const {
    options.primary = schema_.primary_uri();
    options.replicas.clear();
    if (!replica_uri_.empty()) options.replicas.push_back(replica_uri_);
    return options;
  }

  TestSchema schema_;  // declared first: created before the store, dropped after it
  std::string replica_uri_;
  PgStore store_;
};

// Pauses WAL replay on a replica (as superuser, on the replica itself) and
// resumes it when it goes away, whether the test passed or failed. The
// lagging replica is lent to one test at a time, across the processes of
// `ctest -j`: the guard holds an flock named after the replica from its
// construction (waiting while another test holds it) to its end, so no test
// waits for a replay another test paused.
class ReplayPause {
 public:
  explicit ReplayPause(const std::string& replica_uri) : admin_uri_(as_superuser(replica_uri)) {
    const auto path = "/tmp/orderly-replica-" + std::to_string(std::hash<std::string>{}(admin_uri_)) + ".lock";
    lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + path);
  }
  ~ReplayPause() {
    if (paused_) {
      try {
        resume();
      } catch (const std::exception& error) {
        std::cerr << "replica replay not resumed: " << error.what() << "\n";
      }
    }
    ::close(lock_fd_);  // releases the flock
  }
  ReplayPause(const ReplayPause&) = delete;
  ReplayPause& operator=(const ReplayPause&) = delete;

  void pause() const {
    paused_ = true;  // set first: a pause whose reply was lost is resumed too
    (void)run_sql(admin_uri_, "SELECT pg_wal_replay_pause()");
  }
  void resume() const { (void)run_sql(admin_uri_, "SELECT pg_wal_replay_resume()"); }

 private:
  static std::string as_superuser(std::string uri) {
    const auto user = uri.find("://") + 3;
    uri.replace(user, uri.find('@', user) - user, "postgres");
    return uri;
  }

  std::string admin_uri_;
  int lock_fd_ = -1;
  mutable bool paused_ = false;
};

}  // namespace orderly::store::postgres::testing
