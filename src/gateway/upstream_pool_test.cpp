#include "gateway/upstream_pool.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/manual_clock.hpp"
#include "gateway/forwarding.hpp"

namespace orderly::gateway {
namespace {

using namespace std::chrono_literals;

UpstreamConfig three_instances(Balance balance) {
  UpstreamConfig config;
  config.name = "orders";
  config.balance = balance;
  config.instances = {{"127.0.0.1", 1}, {"127.0.0.1", 2}, {"127.0.0.1", 3}};
  config.outlier.consecutive_5xx = 3;
  config.outlier.base_ejection = 10s;
  config.outlier.max_ejection = 25s;
  config.outlier.max_ejection_percent = 50;
  config.breaker.enabled = false;
  return config;
}

class UpstreamPoolTest : public ::testing::Test {
 protected:
  core::ManualClock clock_;
  core::SeededRandom random_{42};
};

TEST_F(UpstreamPoolTest, RoundRobinVisitsEveryInstanceInTurn) {
  UpstreamPool pool(three_instances(Balance::round_robin), clock_, random_);
  std::map<std::string, int> seen;
  for (int i = 0; i < 9; ++i) ++seen[pool.choose("", {})->label];
  EXPECT_EQ(seen.size(), 3U);
  for (const auto& [label, count] : seen) EXPECT_EQ(count, 3) << label;
}

TEST_F(UpstreamPoolTest, LeastRequestPrefersTheIdleInstance) {
  UpstreamPool pool(three_instances(Balance::least_request), clock_, random_);
  pool.instances()[0]->in_flight = 50;
  pool.instances()[1]->in_flight = 50;
  int idle_chosen = 0;
  for (int i = 0; i < 300; ++i) idle_chosen += pool.choose("", {}) == pool.instances()[2].get() ? 1 : 0;
  // Two random choices include instance 3 two times in three, and then it wins.
  EXPECT_GT(idle_chosen, 150);
}

TEST_F(UpstreamPoolTest, ConsistentHashKeepsAKeyOnItsInstanceAndMovesOnlyTheEjectedOnesKeys) {
  UpstreamPool pool(three_instances(Balance::consistent_hash), clock_, random_);
  std::map<std::string, const Instance*> before;
  for (int user = 0; user < 300; ++user) {
    const auto key = "user-" + std::to_string(user);
    before[key] = pool.choose(key, {});
    EXPECT_EQ(pool.choose(key, {}), before[key]);
  }
  auto& gone = *pool.instances()[1];
  for (int i = 0; i < 3; ++i) pool.record(gone, Outcome::server_error);
  ASSERT_TRUE(pool.is_ejected(gone));
  int moved = 0;
  for (const auto& [key, instance] : before) {
    const auto* now = pool.choose(key, {});
    EXPECT_NE(now, &gone);
    if (instance != &gone) {
      EXPECT_EQ(now, instance) << key << " moved although its instance is fine";
    } else {
      ++moved;
    }
  }
  EXPECT_GT(moved, 50);  // about a third of the keys lived there
}

TEST_F(UpstreamPoolTest, EjectionGrowsWithRepeatOffencesAndNeverTakesTheLastInstances) {
  UpstreamPool pool(three_instances(Balance::round_robin), clock_, random_);
  auto& first = *pool.instances()[0];
  for (int i = 0; i < 3; ++i) pool.record(first, Outcome::server_error);
  EXPECT_TRUE(pool.is_ejected(first));
  clock_.advance(10s);
  EXPECT_FALSE(pool.is_ejected(first));
  for (int i = 0; i < 3; ++i) pool.record(first, Outcome::server_error);
  clock_.advance(19s);
  EXPECT_TRUE(pool.is_ejected(first)) << "the second ejection lasts 2 x 10 s";
  clock_.advance(1s);
  EXPECT_FALSE(pool.is_ejected(first));
  for (int i = 0; i < 3; ++i) pool.record(first, Outcome::server_error);
  clock_.advance(24s);
  EXPECT_TRUE(pool.is_ejected(first)) << "the third is capped at 25 s";
  clock_.advance(1s);
  EXPECT_FALSE(pool.is_ejected(first));

  // 50 % of three: one instance out at a time; the others stay whatever they do.
  auto& second = *pool.instances()[1];
  auto& third = *pool.instances()[2];
  for (int i = 0; i < 3; ++i) pool.record(second, Outcome::server_error);
  for (int i = 0; i < 3; ++i) pool.record(third, Outcome::connect_failure);
  EXPECT_TRUE(pool.is_ejected(second));
  EXPECT_FALSE(pool.is_ejected(third));
}

TEST_F(UpstreamPoolTest, ASuccessResetsTheCountOfFailures) {
  UpstreamPool pool(three_instances(Balance::round_robin), clock_, random_);
  auto& first = *pool.instances()[0];
  pool.record(first, Outcome::server_error);
  pool.record(first, Outcome::server_error);
  pool.record(first, Outcome::success);
  pool.record(first, Outcome::server_error);
  EXPECT_FALSE(pool.is_ejected(first));
}

TEST_F(UpstreamPoolTest, BreakerOpensThenLetsOneProbeThroughAndClosesOnSuccess) {
  auto config = three_instances(Balance::round_robin);
  config.instances.resize(1);
  config.breaker = {true, 2, 5s, 1};
  config.outlier.consecutive_5xx = 0;
  UpstreamPool pool(config, clock_, random_);
  auto& only = *pool.instances()[0];
  pool.record(*pool.choose("", {}), Outcome::timeout);
  pool.record(*pool.choose("", {}), Outcome::timeout);
  EXPECT_EQ(only.breaker.state(), InstanceBreaker::State::open);
  EXPECT_EQ(pool.choose("", {}), nullptr) << "open: refused at once";
  clock_.advance(5s);
  auto* probe = pool.choose("", {});
  ASSERT_EQ(probe, &only);
  EXPECT_EQ(only.breaker.state(), InstanceBreaker::State::half_open);
  EXPECT_EQ(pool.choose("", {}), nullptr) << "one probe at a time";
  pool.record(*probe, Outcome::success);
  EXPECT_EQ(only.breaker.state(), InstanceBreaker::State::closed);
  EXPECT_NE(pool.choose("", {}), nullptr);
}

TEST(Forwarding, StripsHopByHopAndIdentityHeadersAndAddsForwardingOnes) {
  net::Request incoming;
  incoming.method = "POST";
  incoming.path = "/api/v1/orders";
  incoming.query = "x=1";
  incoming.remote_address = "10.0.0.9";
  incoming.headers.add("Host", "shop.example");
  incoming.headers.add("Connection", "keep-alive, X-Secret-Hop");
  incoming.headers.add("X-Secret-Hop", "1");
  incoming.headers.add("Keep-Alive", "timeout=5");
  incoming.headers.add("Transfer-Encoding", "chunked");
  incoming.headers.add("X-Orderly-User", "admin-forged");
  incoming.headers.add("x-orderly-roles", "admin");
  incoming.headers.add("X-Forwarded-For", "192.0.2.1");
  incoming.headers.add("Idempotency-Key", "k1");
  net::RequestContext context;
  context.request_id = "req-1";
  context.trace.trace_id = std::string(32, 'a');
  context.trace.span_id = std::string(16, 'b');
  context.trace.flags = 1;
  RouteConfig route;
  route.strip_prefix = "/api";
  const auto out = upstream_request(incoming, context, route, true);
  EXPECT_EQ(out.target, "/v1/orders?x=1");
  for (const auto* gone : {"Connection", "X-Secret-Hop", "Keep-Alive", "Transfer-Encoding", "X-Orderly-User",
                           "X-Orderly-Roles"}) {
    EXPECT_FALSE(out.headers.get(gone).has_value()) << gone;
  }
  EXPECT_EQ(out.headers.get("X-Forwarded-For"), "192.0.2.1, 10.0.0.9");
  EXPECT_EQ(out.headers.get("X-Forwarded-Proto"), "https");
  EXPECT_EQ(out.headers.get("X-Request-Id"), "req-1");
  EXPECT_EQ(out.headers.get("traceparent"), "00-" + std::string(32, 'a') + "-" + std::string(16, 'b') + "-01");
  EXPECT_EQ(out.headers.get("Host"), "shop.example");
  EXPECT_TRUE(is_retry_safe(incoming)) << "a POST with an Idempotency-Key may be retried";
  incoming.headers.erase("Idempotency-Key");
  EXPECT_FALSE(is_retry_safe(incoming));
}

}  // namespace
}  // namespace orderly::gateway
