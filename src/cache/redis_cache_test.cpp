// RedisCache behaviour beyond the Cache contract (cache_contract_test.cpp):
// the key prefix, failure when Redis is unreachable or silent, the reconnect
// back-off, and metrics. Needs a real Redis (ORDERLY_TEST_REDIS) for the tests
// that talk to one.

#include <hiredis/hiredis.h>

#include <unistd.h>

#include <array>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "cache/local_cache.hpp"
#include "cache/redis_test_support.hpp"
#include "core/manual_clock.hpp"

namespace orderly::cache {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using testing::run_until_done;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// A second, synchronous view of the test Redis: what the cache really stored.
class RawRedis {
 public:
  explicit RawRedis(const core::HostPort& address)
      : context_(redisConnectWithTimeout(address.host.c_str(), address.port, {.tv_sec = 2, .tv_usec = 0}), &redisFree) {
    if (!context_ || context_->err != 0) throw std::runtime_error("cannot connect to the test Redis");
  }

  // The reply as text ("(nil)" for a nil reply, the number for an integer).
  std::string command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(
        static_cast<redisReply*>(
            redisCommandArgv(context_.get(), static_cast<int>(args.size()), argv.data(), lengths.data())),
        &freeReplyObject);
    if (!reply) throw std::runtime_error("the test Redis did not answer");
    if (reply->type == REDIS_REPLY_NIL) return "(nil)";
    if (reply->type == REDIS_REPLY_INTEGER) return std::to_string(reply->integer);
    return {reply->str, reply->len};
  }

 private:
  std::unique_ptr<redisContext, decltype(&redisFree)> context_;
};

// A TCP port with nothing listening on it.
std::uint16_t closed_port() {
  asio::io_context context;
  tcp::acceptor probe(context, {asio::ip::address_v4::loopback(), 0});
  return probe.local_endpoint().port();  // freed when probe closes
}

// A server that accepts connections (the kernel completes the handshake) and
// never answers: the shape of a Redis that is stuck.
class SilentServer {
 public:
  SilentServer() : acceptor_(context_, {asio::ip::address_v4::loopback(), 0}) {}
  [[nodiscard]] core::HostPort address() const { return {"127.0.0.1", acceptor_.local_endpoint().port()}; }

 private:
  asio::io_context context_;  // never run: connections wait in the backlog
  tcp::acceptor acceptor_;
};

// A proxy in front of the test Redis that can be switched between silent (it
// accepts and holds connections, never answering) and forwarding. Lets a test
// take "Redis" away and bring it back without restarting the server.
class SwitchableProxy {
 public:
  explicit SwitchableProxy(const core::HostPort& upstream)
      : upstream_(asio::ip::make_address(upstream.host), upstream.port),
        acceptor_(context_, {asio::ip::address_v4::loopback(), 0}) {
    asio::co_spawn(context_, accept_connections(), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~SwitchableProxy() {
    context_.stop();
    thread_.join();
  }
  SwitchableProxy(const SwitchableProxy&) = delete;
  SwitchableProxy& operator=(const SwitchableProxy&) = delete;

  [[nodiscard]] core::HostPort address() const { return {"127.0.0.1", acceptor_.local_endpoint().port()}; }
  void forward(bool on) { forwarding_ = on; }  // for connections accepted from now on
  [[nodiscard]] int accepted() const { return accepted_; }

 private:
  struct Link {
    tcp::socket client;
    tcp::socket server;
  };

  asio::awaitable<void> accept_connections() {
    while (true) {  // until the destructor stops the context
      auto [ec, client] = co_await acceptor_.async_accept(use_nothrow);
      if (ec) co_return;
      ++accepted_;
      if (!forwarding_) {
        held_.push_back(std::move(client));
        continue;
      }
      auto link = std::make_shared<Link>(Link{std::move(client), tcp::socket(context_)});
      auto [connect_error] = co_await link->server.async_connect(upstream_, use_nothrow);
      if (connect_error) continue;
      asio::co_spawn(context_, pump(link, link->client, link->server), asio::detached);
      asio::co_spawn(context_, pump(link, link->server, link->client), asio::detached);
    }
  }

  static asio::awaitable<void> pump(std::shared_ptr<Link> link, tcp::socket& from, tcp::socket& to) {
    std::array<char, 16 * 1024> buffer{};
    while (true) {  // until either side closes
      auto [read_error, size] = co_await from.async_read_some(asio::buffer(buffer), use_nothrow);
      if (read_error) break;
      auto [write_error, written] = co_await asio::async_write(to, asio::buffer(buffer, size), use_nothrow);
      if (write_error) break;
    }
    boost::system::error_code ignored;
    link->client.close(ignored);
    link->server.close(ignored);
  }

  tcp::endpoint upstream_;
  asio::io_context context_{1};
  tcp::acceptor acceptor_;
  std::vector<tcp::socket> held_;  // touched only on the proxy's thread
  std::atomic<bool> forwarding_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

class RedisCacheTest : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> task) {
    return run_until_done(loop_, std::move(task));
  }

  double metric(const std::string& name, const std::string& cache = "redis") {
    const auto text = metrics_.render();
    const auto needle = name + "{cache=\"" + cache + "\"} ";
    const auto line = text.find(needle);
    if (line == std::string::npos) return -1;
    return std::stod(text.substr(line + needle.size()));
  }

  // How long `task` took to throw CacheUnavailable, and what it said.
  template <class T>
  std::pair<std::chrono::milliseconds, std::string> time_failure(asio::awaitable<T> task) {
    const auto start = std::chrono::steady_clock::now();
    std::string what = "(it did not throw CacheUnavailable)";
    try {
      run(std::move(task));
    } catch (const CacheUnavailable& error) {
      what = error.what();
    }
    return {std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start), what};
  }

  core::ManualClock clock_;  // drives the reconnect back-off; command timeouts run on real timers
  core::metrics::Registry metrics_;
  asio::io_context loop_{1};
};

TEST_F(RedisCacheTest, PrependsTheKeyPrefixAndSetsTheTtlInRedis) {
  const auto options = testing::test_redis_options();
  RedisCache cache(options, clock_, metrics_);
  RawRedis raw(options.address);

  run(cache.set("user:1", "alice", 10s));
  EXPECT_EQ(raw.command({"GET", options.key_prefix + "user:1"}), "alice");
  const auto ttl_ms = std::stoll(raw.command({"PTTL", options.key_prefix + "user:1"}));
  EXPECT_GT(ttl_ms, 0);
  EXPECT_LE(ttl_ms, 10'000);
  EXPECT_EQ(raw.command({"EXISTS", "user:1" + options.key_prefix}), "0");

  raw.command({"SET", options.key_prefix + "written-outside", "bob", "PX", "10000"});
  EXPECT_EQ(run(cache.get("written-outside")), "bob");
  EXPECT_TRUE(run(cache.erase("written-outside")));
  EXPECT_EQ(raw.command({"EXISTS", options.key_prefix + "written-outside"}), "0");
}

TEST_F(RedisCacheTest, CountsHitsAndMissesInTheFamiliesLocalCacheUses) {
  LocalCache local({}, clock_, metrics_);  // same registry: the families must merge, not clash
  RedisCache cache(testing::test_redis_options(), clock_, metrics_);
  run(cache.set("k", "v", 10s));
  EXPECT_EQ(run(cache.get("k")), "v");
  EXPECT_EQ(run(cache.get("absent")), std::nullopt);
  static_cast<void>(local.lookup("absent"));
  EXPECT_EQ(metric("orderly_cache_hits_total"), 1);
  EXPECT_EQ(metric("orderly_cache_misses_total"), 1);
  EXPECT_EQ(metric("orderly_cache_misses_total", "local"), 1);
  EXPECT_EQ(metric("orderly_cache_errors_total"), 0);
}

// An ACL user of its own (the test Redis is shared, so requirepass on the
// default user would lock every other test out), removed even on failure.
class RedisAclUser {
 public:
  RedisAclUser(RawRedis& raw, std::string name, std::string password) : raw_(raw), name_(std::move(name)) {
    EXPECT_EQ(raw_.command({"ACL", "SETUSER", name_, "reset", "on", ">" + password, "~*", "+@all"}), "OK");
  }
  ~RedisAclUser() { static_cast<void>(raw_.command({"ACL", "DELUSER", name_})); }
  RedisAclUser(const RedisAclUser&) = delete;
  RedisAclUser& operator=(const RedisAclUser&) = delete;

 private:
  RawRedis& raw_;
  std::string name_;
};

TEST_F(RedisCacheTest, AuthenticatesWithItsCredentialsAndFailsWithoutShowingAWrongPassword) {
  auto options = testing::test_redis_options();
  RawRedis raw(options.address);
  const std::string user = "orderly-test-" + std::to_string(::getpid());
  const RedisAclUser acl(raw, user, "right-password-0123");

  options.username = user;
  options.password = "right-password-0123";
  {
    RedisCache cache(options, clock_, metrics_);
    run(cache.set("acl-key", "v", 10s));
    EXPECT_EQ(run(cache.get("acl-key")), "v");
  }

  options.password = "wrong-password-4567";
  RedisCache refused(options, clock_, metrics_, "refused");
  const auto [took, what] = time_failure(refused.get("acl-key"));
  EXPECT_LT(took, 3s);
  EXPECT_EQ(what.find("wrong-password-4567"), std::string::npos) << "the error must not echo the password";
  EXPECT_NE(what, "(it did not throw CacheUnavailable)");
  EXPECT_EQ(metric("orderly_cache_errors_total", "refused"), 1);
}

TEST_F(RedisCacheTest, UnreachableRedisFailsFastAndCountsErrors) {
  RedisCache cache({.address = {"127.0.0.1", closed_port()}, .command_timeout = 1000ms}, clock_, metrics_);
  const auto [took, what] = time_failure(cache.get("k"));
  EXPECT_LT(took, 3s);
  EXPECT_NE(what.find("refused"), std::string::npos) << what;
  EXPECT_EQ(metric("orderly_cache_errors_total"), 1);

  EXPECT_THROW(run(cache.set("k", "v", 1s)), CacheUnavailable);
  EXPECT_THROW(run(cache.erase("k")), CacheUnavailable);
  EXPECT_EQ(metric("orderly_cache_errors_total"), 3);
  EXPECT_EQ(metric("orderly_cache_misses_total"), 0) << "a failed read is an error, not a miss";
}

TEST_F(RedisCacheTest, SilentRedisTimesOutAfterTheCommandTimeout) {
  SilentServer silent;
  RedisCache cache({.address = silent.address(), .command_timeout = 300ms}, clock_, metrics_);
  const auto [took, what] = time_failure(cache.get("k"));
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 3s);
  EXPECT_NE(what.find("no reply within 300 ms"), std::string::npos) << what;
  EXPECT_EQ(metric("orderly_cache_errors_total"), 1);
}

TEST_F(RedisCacheTest, ReconnectsAfterTheBackOffAndRecovers) {
  const auto upstream = testing::test_redis_options();
  SwitchableProxy proxy(upstream.address);
  auto options = upstream;
  options.address = proxy.address();
  options.connections_per_loop = 1;
  options.command_timeout = 1000ms;
  options.reconnect_backoff = 100ms;
  RedisCache cache(options, clock_, metrics_);

  // Redis "stuck": the command times out and its connection is dropped.
  const auto [timed_out, stuck] = time_failure(cache.get("k"));
  EXPECT_NE(stuck.find("no reply within"), std::string::npos) << stuck;

  // Within the back-off (the manual clock has not moved): no new connection,
  // an immediate failure: well under the command timeout the first one waited out.
  const auto [took, what] = time_failure(cache.get("k"));
  EXPECT_LT(took, timed_out / 4);
  EXPECT_NE(what.find("back-off"), std::string::npos) << what;
  EXPECT_LE(proxy.accepted(), 1);

  // Redis "back": after the back-off the loop reconnects and commands succeed again.
  proxy.forward(true);
  clock_.advance(100ms);
  run(cache.set("k", "recovered", 10s));
  EXPECT_EQ(run(cache.get("k")), "recovered");
  EXPECT_EQ(proxy.accepted(), 2);
  EXPECT_EQ(metric("orderly_cache_errors_total"), 2);
}

// Either may go first: the pools live in a service of each io_context.
TEST_F(RedisCacheTest, TheCacheMayOutliveItsLoopOrDieFirst) {
  const auto options = testing::test_redis_options();
  auto cache = std::make_unique<RedisCache>(options, clock_, metrics_);
  {
    asio::io_context short_lived{1};
    run_until_done(short_lived, cache->set("k", "v", 10s));
  }  // the loop goes first; its connections with it
  EXPECT_EQ(run(cache->get("k")), "v");
  cache.reset();  // the cache goes first; its pool on loop_ closes when loop_ next runs
  loop_.poll();
  RedisCache successor(options, clock_, metrics_);
  EXPECT_EQ(run(successor.get("k")), "v");
}

TEST(RedisCacheOptionsTest, RejectsUnusableOptions) {
  core::ManualClock clock;
  core::metrics::Registry metrics;
  EXPECT_THROW(RedisCache({.connections_per_loop = 0}, clock, metrics), std::invalid_argument);
  EXPECT_THROW(RedisCache({.command_timeout = 0ms}, clock, metrics), std::invalid_argument);
}

TEST_F(RedisCacheTest, ResolvesAHostNameOnce) {
  auto options = testing::test_redis_options();
  options.address.host = "localhost";
  RedisCache cache(options, clock_, metrics_);
  run(cache.set("named", "found", 10s));
  EXPECT_EQ(run(cache.get("named")), "found");
}

}  // namespace
}  // namespace orderly::cache
