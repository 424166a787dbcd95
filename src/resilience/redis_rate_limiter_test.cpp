// RedisRateLimiter against the real test Redis (ORDERLY_TEST_REDIS): one
// limit across independent clients, the script cache fallback, and the
// failure modes when Redis is unreachable.

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

#include "cache/redis_client.hpp"
#include "cache/redis_test_support.hpp"
#include "core/manual_clock.hpp"
#include "resilience/redis_rate_limiter.hpp"

namespace orderly::resilience {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cache::testing::run_until_done;

std::uint16_t closed_port() {
  asio::io_context context;
  asio::ip::tcp::acceptor probe(context, {asio::ip::address_v4::loopback(), 0});
  return probe.local_endpoint().port();  // freed when probe closes
}

class RedisRateLimiterTest : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> task) {
    return run_until_done(loop_, std::move(task));
  }

  cache::RedisReply command(cache::RedisClient& client, std::vector<std::string> args) {
    return run(client.execute(std::move(args)));
  }

  double metric(const std::string& series) {
    const auto text = metrics_.render();
    const auto at = text.find(series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 1));
  }

  core::ManualClock clock_;  // only the clients' reconnect back-off and the log interval read it
  core::metrics::Registry metrics_;
  asio::io_context loop_{1};
  cache::RedisCacheOptions options_ = cache::testing::test_redis_options();
  RedisRateLimiterOptions limiter_options_{.key_prefix = options_.key_prefix + "rate:"};
};

TEST_F(RedisRateLimiterTest, TwoLimitersWithTheirOwnClientsHoldOneLimitOnOneKey) {
  cache::RedisClient first_client(options_, clock_);
  cache::RedisClient second_client(options_, clock_);
  const RateLimitPolicy policy{"login", 10, 60s};
  RedisRateLimiter first(policy, first_client, clock_, metrics_, limiter_options_);
  RedisRateLimiter second(policy, second_client, clock_, metrics_, limiter_options_);

  int allowed = 0;
  for (int i = 0; i < 15; ++i) {
    if (run(first.acquire("alice")).allowed) ++allowed;
    if (run(second.acquire("alice")).allowed) ++allowed;
  }
  EXPECT_EQ(allowed, 10) << "a refill of 1 token per 6 s cannot add one during the test";
  EXPECT_TRUE(run(second.acquire("bob")).allowed) << "another key, another bucket";

  const auto denied = run(first.acquire("alice"));
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.limit, 10U);
  EXPECT_EQ(denied.remaining, 0U);
  EXPECT_EQ(denied.retry_after, 6s) << "one token per 6 s, rounded up";
  EXPECT_EQ(denied.reset, 60s);

  // The bucket expires once it would be full again: idle keys cost Redis nothing.
  const auto ttl = command(first_client, {"PTTL", limiter_options_.key_prefix + "login:alice"});
  EXPECT_GT(ttl.integer, 55'000);
  EXPECT_LE(ttl.integer, 60'001);
  EXPECT_EQ(metric(R"(orderly_rate_limit_decisions_total{policy="login",decision="allowed"})"), 11);
  EXPECT_EQ(metric(R"(orderly_rate_limit_decisions_total{policy="login",decision="denied"})"), 21);
}

TEST_F(RedisRateLimiterTest, ReportsRemainingAndSpendsCost) {
  cache::RedisClient client(options_, clock_);
  RedisRateLimiter limiter({"bulk", 100, 100s}, client, clock_, metrics_, limiter_options_);
  const auto first = run(limiter.acquire("k", 40));
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 60U);
  EXPECT_EQ(first.reset, 40s);
  EXPECT_FALSE(run(limiter.acquire("k", 61)).allowed);
  EXPECT_FALSE(run(limiter.acquire("k", 101)).allowed) << "more than the limit is always denied";
  EXPECT_TRUE(run(limiter.acquire("k", 60)).allowed);
}

// SCRIPT FLUSH touches the shared test Redis, which is safe: every EVALSHA
// user must already cope with NOSCRIPT (a Redis restart has the same effect).
TEST_F(RedisRateLimiterTest, FallsBackToEvalWhenRedisHasNotCachedTheScript) {
  cache::RedisClient client(options_, clock_);
  const auto loaded = command(client, {"SCRIPT", "LOAD", RedisRateLimiter::script()});
  EXPECT_EQ(loaded.text, RedisRateLimiter::script_sha1()) << "EVALSHA names the script as Redis does";

  command(client, {"SCRIPT", "FLUSH"});
  RedisRateLimiter limiter({"api", 2, 60s}, client, clock_, metrics_, limiter_options_);
  EXPECT_TRUE(run(limiter.acquire("k")).allowed);
  const auto cached = command(client, {"EVALSHA", RedisRateLimiter::script_sha1(), "1",
                                       limiter_options_.key_prefix + "api:k", "2", "60000000", "1"});
  EXPECT_EQ(cached.text.substr(0, 4), "1 0 ") << "the EVAL fallback cached the script; the second token went";
  EXPECT_FALSE(run(limiter.acquire("k")).allowed);
  EXPECT_EQ(metric(R"(orderly_rate_limit_backend_failures_total{policy="api",mode="open"})"), 0);
}

TEST_F(RedisRateLimiterTest, UnreachableRedisAllowsWhenFailingOpenAndDeniesWhenFailingClosed) {
  cache::RedisClient down({.address = {"127.0.0.1", closed_port()}, .command_timeout = 500ms}, clock_);
  RedisRateLimiter open({"search", 5, 1s}, down, clock_, metrics_, {.failure_mode = FailureMode::open});
  RedisRateLimiter closed({"login", 5, 1s}, down, clock_, metrics_, {.failure_mode = FailureMode::closed});

  const auto allowed = run(open.acquire("k"));
  EXPECT_TRUE(allowed.allowed);
  EXPECT_EQ(allowed.remaining, 5U);

  const auto denied = run(closed.acquire("k"));
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, 1s);

  EXPECT_FALSE(run(closed.acquire("k")).allowed);
  EXPECT_EQ(metric(R"(orderly_rate_limit_backend_failures_total{policy="search",mode="open"})"), 1);
  EXPECT_EQ(metric(R"(orderly_rate_limit_backend_failures_total{policy="login",mode="closed"})"), 2);
  EXPECT_EQ(metric(R"(orderly_rate_limit_decisions_total{policy="login",decision="denied"})"), 2);
}

}  // namespace
}  // namespace orderly::resilience
