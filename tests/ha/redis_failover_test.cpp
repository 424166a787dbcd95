// The Redis half of the high-availability profile against a real primary,
// replica and three Sentinels (scripts/ha/redis): the client finds the
// primary through Sentinel, and after kill -9 of the primary it follows the
// one the Sentinels promote within a few seconds. Its ACL user is held to
// the platform's keys and commands.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "cache/redis_client.hpp"
#include "cache/redis_test_support.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "resilience/redis_rate_limiter.hpp"
#include "ha/ha_scripts.hpp"

namespace orderly::cache {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using ha_testing::ha_script;
using testing::run_until_done;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

class RedisSentinelFailover : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto start = SteadyClock::now();
    ha_script("redis", "down --purge");
    ha_script("redis", "up");
    std::cout << "Redis primary, replica and three Sentinels up in " << seconds_since(start) << " s\n";
  }
  static void TearDownTestSuite() { ha_script("redis", "down --purge"); }

  static RedisCacheOptions options() {
    const auto env = ha_testing::read_env(ha_testing::engine_dir("redis") + "/redis.env");
    RedisCacheOptions options;
    std::stringstream sentinels(env.at("ORDERLY_HA_REDIS_SENTINELS"));
    for (std::string sentinel; std::getline(sentinels, sentinel, ',');) {
      options.sentinels.push_back(core::HostPort::parse(sentinel));
    }
    options.master_name = env.at("ORDERLY_HA_REDIS_MASTER");
    options.sentinel_password = env.at("ORDERLY_HA_REDIS_SENTINEL_PASSWORD");
    options.username = "catalog";
    options.password = env.at("ORDERLY_HA_REDIS_PASSWORD_CATALOG");
    options.command_timeout = 500ms;
    options.reconnect_backoff = 50ms;
    options.reconnect_backoff_max = 500ms;
    return options;
  }

  static std::string port_file(const std::string& name) {
    std::ifstream file(ha_testing::engine_dir("redis") + "/run/" + name + ".port");
    std::string port;
    std::getline(file, port);
    return port;
  }

  RedisReply run(RedisClient& client, std::vector<std::string> command) {
    return run_until_done(loop_, client.execute(std::move(command)), 5s);
  }

  boost::asio::io_context loop_;
  core::SystemClock clock_;
};

// Redis checks the ACL of every command a script calls: the roles that count
// limits (auth's logins, the gateways' shared route limits) must be allowed
// the rate limiter's whole script, or a fail-closed limit refuses everyone.
TEST_F(RedisSentinelFailover, EveryRoleThatCountsLimitsMayRunTheRateLimitersScript) {
  const auto env = ha_testing::read_env(ha_testing::engine_dir("redis") + "/redis.env");
  for (const std::string role : {"auth", "gateway"}) {
    auto role_options = options();
    role_options.username = role;
    role_options.password = env.at("ORDERLY_HA_REDIS_PASSWORD_" + std::string(role == "auth" ? "AUTH" : "GATEWAY"));
    RedisClient client(role_options, clock_);
    core::metrics::Registry metrics;
    resilience::RedisRateLimiter limiter({"ha-acl-" + role, 5, std::chrono::seconds(10)}, client, clock_, metrics,
                                         {.failure_mode = resilience::FailureMode::closed});
    const auto first = run_until_done(loop_, limiter.acquire("someone"), 5s);
    EXPECT_TRUE(first.allowed) << role << ": the limiter's script was refused (a closed limit then denies)";
    EXPECT_EQ(first.remaining, 4U) << role;
  }
}

TEST_F(RedisSentinelFailover, TheClientFollowsThePrimaryTheSentinelsPromote) {
  RedisClient client(options(), clock_);
  const auto key = "orderly:ha-test:" + std::to_string(::getpid());
  EXPECT_EQ(run(client, {"SET", key, "before"}).text, "OK");
  EXPECT_EQ(client.address(), "127.0.0.1:" + port_file("redis-1")) << "the Sentinels name redis-1 first";
  // The role's ACL user: the platform's keys and commands only.
  EXPECT_THROW(run(client, {"SET", "not-orderly", "x"}), RedisUnavailable);
  EXPECT_THROW(run(client, {"FLUSHALL"}), RedisUnavailable);

  const auto killed_at = SteadyClock::now();
  ha_script("redis", "kill redis-1");
  int failures = 0;
  bool written = false;
  const auto deadline = SteadyClock::now() + 30s;
  while (!written && SteadyClock::now() < deadline) {
    try {
      written = run(client, {"SET", key, "after"}).text == "OK";
    } catch (const RedisUnavailable&) {
      ++failures;
      // Pacing of the client's retries (each failure is immediate while the
      // old primary refuses); the loop ends on the write succeeding.
      std::this_thread::sleep_for(50ms);
    }
  }
  const auto window = seconds_since(killed_at);
  ASSERT_TRUE(written) << "the client did not follow the failover within 30 s";
  EXPECT_EQ(client.address(), "127.0.0.1:" + port_file("redis-2")) << "the replica was promoted";
  EXPECT_EQ(run(client, {"GET", key}).text, "after");
  std::cout << "primary killed: the client wrote to the new primary " << window << " s later (" << failures
            << " failed commands)\n";
  RecordProperty("failover_window_s", std::to_string(window));
  EXPECT_LT(window, 10.0) << "following a switch-over takes a few seconds, not more";

  // The old primary comes back as a replica (fresh config from the Sentinels' view).
  ha_script("redis", "start redis-1");
  const auto status = ha_script("redis", "status");
  const auto line_of = [&status](const std::string& name) {
    const auto start = status.find(name);
    return start == std::string::npos ? std::string() : status.substr(start, status.find('\n', start) - start);
  };
  EXPECT_NE(line_of("redis-2").find("primary"), std::string::npos) << status;
  EXPECT_NE(line_of("redis-1").find("replica"), std::string::npos) << status;
}

}  // namespace
}  // namespace orderly::cache
