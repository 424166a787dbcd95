// The registry against a real etcd (ORDERLY_TEST_ETCD, from scripts/servers):
// the JSON gateway calls, a lease that takes its keys with it, and a
// registration that a follower sees arrive and, after a clean stop, leave.
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "cache/redis_test_support.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/test_servers.hpp"
#include "registry/etcd_client.hpp"
#include "lock/periodic_job.hpp"
#include "registry/registration.hpp"
#include "registry/registry_follower.hpp"

namespace orderly::registry {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cache::testing::run_until_done;

core::HostPort test_etcd() {
  return core::HostPort::parse(orderly::testing::test_server_setting("ORDERLY_TEST_ETCD"));
}

// A prefix of this test's own: the etcd is shared by the whole run.
std::string unique_prefix() {
  core::FastRandom random;
  return "/orderly-test/" + std::to_string(random.next_u64()) + "/";
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

TEST(Base64Test, RoundTripsEveryByteAndPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  for (std::size_t size = 0; size < 5; ++size) EXPECT_EQ(base64_decode(base64_encode(all.substr(0, size))), all.substr(0, size));
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_THROW((void)base64_decode("abc"), EtcdError);
  EXPECT_THROW((void)base64_decode("a$c="), EtcdError);
}

// A registration with the default ttl (5 s) once ticked every 0 ms (ttl / 6
// in whole seconds), a core 17 % busy in every registered process.
TEST(RegistrationTest, TicksOftenEnoughToRenewButNeverInATightLoop) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(Registration::tick_interval(seconds(2)), milliseconds(333));
  EXPECT_EQ(Registration::tick_interval(seconds(3)), milliseconds(500));
  EXPECT_EQ(Registration::tick_interval(seconds(5)), milliseconds(833));
  EXPECT_EQ(Registration::tick_interval(seconds(60)), milliseconds(1000));
}

TEST(PeriodicJobTest, RefusesAnIntervalThatWouldNeverSleep) {
  const auto nothing = []() -> boost::asio::awaitable<void> { co_return; };
  EXPECT_THROW(lock::PeriodicJob("spin", std::chrono::milliseconds(0), nothing), std::invalid_argument);
}

TEST(PrefixEndTest, IsTheFirstKeyPastThePrefix) {
  EXPECT_EQ(prefix_end("/a/"), "/a0");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
}

class EtcdTest : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> task) {
    return run_until_done(loop_, std::move(task));
  }

  core::SystemClock clock_;
  asio::io_context loop_{1};
  net::HttpClient http_{net::HttpClientSettings{}, clock_};
  EtcdClient etcd_{http_, test_etcd(), 2s};
  std::string prefix_ = unique_prefix();
};

TEST_F(EtcdTest, PutsAndReadsAPrefixInKeyOrder) {
  run(etcd_.put(prefix_ + "b", "two", ""));
  run(etcd_.put(prefix_ + "a", std::string("one\0bytes", 9), ""));
  run(etcd_.put(prefix_.substr(0, prefix_.size() - 1) + "x", "outside", ""));  // shares all but the last byte
  const auto range = run(etcd_.range(prefix_));
  ASSERT_EQ(range.entries.size(), 2U);
  EXPECT_EQ(range.entries[0].key, prefix_ + "a");
  EXPECT_EQ(range.entries[0].value, std::string("one\0bytes", 9));
  EXPECT_EQ(range.entries[1].value, "two");
  EXPECT_FALSE(range.revision.empty());
  EXPECT_TRUE(run(etcd_.range(prefix_ + "none/")).entries.empty());
}

TEST_F(EtcdTest, ARevokedLeaseTakesItsKeysAndIsNotKeptAlive) {
  const auto lease = run(etcd_.grant(10s));
  ASSERT_FALSE(lease.empty());
  run(etcd_.put(prefix_ + "leased", "v", lease));
  EXPECT_TRUE(run(etcd_.keep_alive(lease)));
  EXPECT_EQ(run(etcd_.range(prefix_)).entries.size(), 1U);
  run(etcd_.revoke(lease));
  EXPECT_TRUE(run(etcd_.range(prefix_)).entries.empty());
  EXPECT_FALSE(run(etcd_.keep_alive(lease)));
}

TEST(EtcdUnreachableTest, FailsWithAnEtcdError) {
  core::SystemClock clock;
  asio::io_context loop{1};
  net::HttpClient http{net::HttpClientSettings{}, clock};
  asio::io_context probe;
  asio::ip::tcp::acceptor closed(probe, {asio::ip::address_v4::loopback(), 0});
  const core::HostPort address{"127.0.0.1", closed.local_endpoint().port()};
  closed.close();
  EtcdClient etcd{http, address, 1s};
  EXPECT_THROW(run_until_done(loop, etcd.range("/x/")), EtcdError);
}

// A member that died (its port closed) is skipped: the call reaches the live
// member, and later calls start there.
TEST(EtcdMembersTest, MovesToALiveMemberWhenOneIsDown) {
  core::SystemClock clock;
  asio::io_context loop{1};
  net::HttpClient http{net::HttpClientSettings{}, clock};
  asio::io_context probe;
  asio::ip::tcp::acceptor closed(probe, {asio::ip::address_v4::loopback(), 0});
  const core::HostPort dead{"127.0.0.1", closed.local_endpoint().port()};
  closed.close();
  EtcdClient etcd{http, std::vector<core::HostPort>{dead, test_etcd()}, 1s};
  EXPECT_EQ(etcd.endpoint().to_string(), dead.to_string());
  const auto prefix = unique_prefix();
  run_until_done(loop, etcd.put(prefix + "k", "v", ""));
  EXPECT_EQ(etcd.endpoint().to_string(), test_etcd().to_string());
  EXPECT_EQ(run_until_done(loop, etcd.range(prefix)).entries.size(), 1U);
  // Every member down: an EtcdError that names each.
  EtcdClient none{http, std::vector<core::HostPort>{dead, dead}, 1s};
  try {
    (void)run_until_done(loop, none.range(prefix));
    ADD_FAILURE() << "expected an EtcdError";
  } catch (const EtcdError& error) {
    EXPECT_NE(std::string(error.what()).find("; etcd at " + dead.to_string()), std::string::npos) << error.what();
  }
}

// A registration and a follower on a loop of their own, as a process runs them.
TEST_F(EtcdTest, AFollowerSeesARegistrationArriveAndLeaveOnACleanStop) {
  asio::io_context background{1};
  Registration registration(etcd_, Instance{"catalog", "catalog-1", "127.0.0.1:8081", "127.0.0.1:9091", "test"},
                            RegistrationOptions{prefix_, 2s});
  std::mutex mutex;
  std::vector<Directory> seen;
  RegistryFollower follower(etcd_, FollowerOptions{prefix_, 50ms}, [&](const Directory& directory) {
    const std::lock_guard lock(mutex);
    seen.push_back(directory);
  });
  std::atomic<bool> registration_done{false};
  asio::co_spawn(background, registration.run(), [&](std::exception_ptr) { registration_done = true; });
  asio::co_spawn(background, follower.run(), asio::detached);
  std::thread thread([&] { background.run(); });

  const auto last = [&] {
    const std::lock_guard lock(mutex);
    return seen.empty() ? Directory{} : seen.back();
  };
  EXPECT_TRUE(eventually([&] { return last().count("catalog") == 1; }, 5s)) << "the follower never saw the instance";
  const auto directory = last();
  if (directory.count("catalog") == 1) {
    ASSERT_EQ(directory.at("catalog").size(), 1U);
    EXPECT_EQ(directory.at("catalog")[0].public_address, "127.0.0.1:8081");
    EXPECT_EQ(directory.at("catalog")[0].internal_address, "127.0.0.1:9091");
  }
  EXPECT_TRUE(registration.registered());

  registration.request_stop();
  EXPECT_TRUE(eventually([&] { return registration_done.load(); }, 5s));
  // Revoked, not expired: gone well before the 2 s ttl could run out.
  const auto stopped_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return last().count("catalog") == 0; }, 5s)) << "the instance stayed after its stop";
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 1500ms);
  EXPECT_FALSE(registration.registered());

  follower.request_stop();
  background.stop();
  thread.join();
}

}  // namespace
}  // namespace orderly::registry
