// Finding the PostgreSQL leader through Patroni's REST API: small real HTTP
// servers stand for each node's Patroni (GET /primary: 200 on the leader, 503
// elsewhere, nothing from a dead one), in front of the real test servers of
// scripts/servers (a primary and its streaming replica). The store must follow
// what Patroni says, not the order of the hosts in the URI.
#include "store/postgres/patroni_leader.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/errors.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/postgres/postgres_store.hpp"

namespace orderly::store::postgres {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

// One node's Patroni REST API as far as the store asks it: every request
// (one per connection) is answered with `status`.
class FakePatroni {
 public:
  explicit FakePatroni(int status) : status_(status) {
    thread_ = std::thread([this] { serve(); });
  }
  ~FakePatroni() {
    stopping_ = true;
    // Wakes the blocking accept with one last connection.
    try {
      asio::io_context context;
      asio::ip::tcp::socket socket(context);
      socket.connect(endpoint());
    } catch (const std::exception&) {
    }
    thread_.join();
  }
  FakePatroni(const FakePatroni&) = delete;
  FakePatroni& operator=(const FakePatroni&) = delete;

  void answer(int status) { status_ = status; }
  [[nodiscard]] core::HostPort address() const { return {"127.0.0.1", acceptor_.local_endpoint().port()}; }
  [[nodiscard]] unsigned asked() const { return asked_.load(); }

 private:
  [[nodiscard]] asio::ip::tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  void serve() {
    while (!stopping_) {
      asio::ip::tcp::socket socket(context_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      asio::streambuf head;
      asio::read_until(socket, head, "\r\n\r\n", ec);
      if (ec) continue;
      ++asked_;
      const auto status = status_.load();
      const std::string response = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Unavailable") +
                                   "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      asio::write(socket, asio::buffer(response), ec);
    }
  }

  asio::io_context context_;
  asio::ip::tcp::acceptor acceptor_{context_, {asio::ip::address_v4::loopback(), 0}};
  std::atomic<int> status_;
  std::atomic<unsigned> asked_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

core::HostPort dead_node() {
  asio::io_context context;
  asio::ip::tcp::acceptor closed(context, {asio::ip::address_v4::loopback(), 0});
  return {"127.0.0.1", closed.local_endpoint().port()};  // closed when this returns
}

// Polls `condition` (bounded in time) on the test's thread.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

TEST(PatroniLeaderTest, TheLeaderIsTheOneNodeThatSaysPrimary) {
  FakePatroni standby(503);
  FakePatroni primary(200);
  // Known from the first round, before the constructor returns.
  PatroniLeader leader(PatroniOptions{{standby.address(), primary.address(), dead_node()}, 100ms, 500ms});
  EXPECT_EQ(leader.leader(), 1U);

  // A failover: the standby now leads.
  primary.answer(503);
  standby.answer(200);
  EXPECT_TRUE(eventually([&] { return leader.leader() == 0U; }, 3s));

  // Two nodes that both say primary are not believed, and neither is none.
  primary.answer(200);
  EXPECT_TRUE(eventually([&] { return leader.leader() == PatroniLeader::kNone; }, 3s));
  primary.answer(503);
  standby.answer(503);
  EXPECT_TRUE(eventually([&] { return leader.leader() == PatroniLeader::kNone; }, 3s));
}

TEST(PatroniLeaderTest, RecheckAsksAtOnceRatherThanAtTheNextInterval) {
  FakePatroni node(200);
  PatroniLeader leader(PatroniOptions{{node.address()}, 1h, 500ms});
  ASSERT_EQ(leader.leader(), 0U);
  const auto before = node.asked();
  node.answer(503);
  leader.recheck();
  EXPECT_TRUE(eventually([&] { return leader.leader() == PatroniLeader::kNone; }, 3s));
  EXPECT_GT(node.asked(), before);
}

// HOST:PORT of a test server's URI (postgresql://user@HOST:PORT/db?...).
std::string authority(const std::string& uri) {
  const auto at = uri.find('@') + 1;
  return uri.substr(at, uri.find('/', at) - at);
}

constexpr Statement kStandby{"patroni_test.standby", "SELECT pg_is_in_recovery() AS standby"};
constexpr Statement kCreate{"patroni_test.create", "CREATE TABLE IF NOT EXISTS marks (id BIGINT PRIMARY KEY)"};
constexpr Statement kMark{"patroni_test.mark", "INSERT INTO marks (id) VALUES (1) ON CONFLICT DO NOTHING"};

class PatroniStoreTest : public ::testing::Test {
 protected:
  // Hosts in the URI: the replica first, so libpq's order would pick it.
  PgOptions options() const {
    PgOptions options;
    options.primary = testing::with_search_path(
        "postgresql://orderly@" + authority(schema_.replica_uri()) + "," + authority(schema_.primary_uri()) + "/orderly",
        schema_.name());
    options.patroni = {replica_node_.address(), primary_node_.address()};
    options.patroni_interval = 100ms;
    options.connections.connect_timeout = 2s;
    return options;
  }

  testing::TestSchema schema_;
  FakePatroni replica_node_{503};
  FakePatroni primary_node_{200};
  core::metrics::Registry metrics_;
};

TEST_F(PatroniStoreTest, WritesGoWherePatroniSaysAndFailCleanlyWithoutALeader) {
  PgStore pg(options(), metrics_);
  Store& store = pg;  // the interface's calls, with their default arguments
  // Through the host Patroni names, though the URI lists the replica first.
  ReadOptions primary_only;
  primary_only.allow_replica = false;
  EXPECT_EQ(core::run_sync(store.query(kStandby, {}, primary_only)).first().int64("standby"), 0);
  (void)core::run_sync(store.execute(kCreate));
  (void)core::run_sync(store.transaction([](Transaction& tx) -> asio::awaitable<void> {
    (void)co_await tx.execute(kMark);
  }));

  // No node says primary (the leader key expired): every call to the
  // primary fails at once with a retryable StoreUnavailable.
  primary_node_.answer(503);
  EXPECT_TRUE(eventually(
      [&] {
        try {
          (void)core::run_sync(store.execute(kStandby));
          return false;
        } catch (const StoreUnavailable& error) {
          return std::string(error.what()).find("no leader known") != std::string::npos;
        }
      },
      3s));
  const auto started = std::chrono::steady_clock::now();
  try {
    (void)core::run_sync(store.transaction([](Transaction& tx) -> asio::awaitable<void> {
      (void)co_await tx.execute(kMark);
    }));
    ADD_FAILURE() << "a transaction ran without a leader";
  } catch (const StoreUnavailable& error) {
    EXPECT_THAT(error.what(), HasSubstr("no leader known"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "no leader must fail fast, not hang";

  // Patroni now names the other host: the store follows (here it is a
  // standby in truth, so a write there is refused as read-only, and that
  // too is a retryable StoreUnavailable, not a plain error).
  replica_node_.answer(200);
  EXPECT_TRUE(eventually(
      [&] {
        try {
          return core::run_sync(store.execute(kStandby)).first().int64("standby") == 1;
        } catch (const StoreUnavailable&) {
          return false;
        }
      },
      3s))
      << "the store did not move to the node Patroni names";
  EXPECT_THROW((void)core::run_sync(store.execute(kMark)), StoreUnavailable);
}

TEST_F(PatroniStoreTest, OnePatroniPerHostOfThePrimaryUri) {
  auto bad = options();
  bad.patroni.push_back(dead_node());
  try {
    PgStore store(bad, metrics_);
    ADD_FAILURE() << "three REST APIs for two hosts were accepted";
  } catch (const StoreError& error) {
    EXPECT_THAT(error.what(), HasSubstr("store.patroni lists 3"));
  }
}

}  // namespace
}  // namespace orderly::store::postgres
