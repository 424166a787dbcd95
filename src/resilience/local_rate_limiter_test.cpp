// The in-process limiters driven by a ManualClock: exact refill, window
// edges, the key bound, and concurrent callers.

#include <thread>

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "resilience/sliding_window_limiter.hpp"
#include "resilience/token_bucket_limiter.hpp"

namespace orderly::resilience {
namespace {

using namespace std::chrono_literals;

double counter(const core::metrics::Registry& registry, const std::string& series) {
  const auto text = registry.render();
  const auto at = text.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 1));
}

class TokenBucketTest : public ::testing::Test {
 protected:
  core::ManualClock clock_;
  core::metrics::Registry metrics_;
};

TEST_F(TokenBucketTest, StartsFullAndDeniesOnceTheBurstIsSpent) {
  TokenBucketLimiter limiter({"login", 10, 1s}, clock_, metrics_);
  for (std::uint64_t i = 0; i < 10; ++i) {
    const auto decision = limiter.decide("alice");
    ASSERT_TRUE(decision.allowed) << "request " << i;
    EXPECT_EQ(decision.remaining, 9 - i);
    EXPECT_EQ(decision.limit, 10U);
    EXPECT_EQ(decision.retry_after, 0s);
  }
  const auto denied = limiter.decide("alice");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0U);
  EXPECT_EQ(denied.retry_after, 1s) << "one token takes 100 ms, rounded up to a whole second";
  EXPECT_EQ(denied.reset, 1s);
  EXPECT_TRUE(limiter.decide("bob").allowed) << "keys have separate buckets";
  EXPECT_EQ(counter(metrics_, R"(orderly_rate_limit_decisions_total{policy="login",decision="allowed"})"), 11);
  EXPECT_EQ(counter(metrics_, R"(orderly_rate_limit_decisions_total{policy="login",decision="denied"})"), 1);
}

TEST_F(TokenBucketTest, RefillsExactlyOneTokenPerWindowOverLimit) {
  TokenBucketLimiter limiter({"api", 10, 1s}, clock_, metrics_);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.decide("k").allowed);
  clock_.advance(99'999'999ns);
  EXPECT_FALSE(limiter.decide("k").allowed) << "1 ns short of a token";
  clock_.advance(1ns);
  const auto refilled = limiter.decide("k");
  EXPECT_TRUE(refilled.allowed) << "exactly 100 ms refills one token";
  EXPECT_EQ(refilled.remaining, 0U);
  EXPECT_FALSE(limiter.decide("k").allowed);

  clock_.advance(350ms);  // 3.5 tokens
  EXPECT_EQ(limiter.decide("k", 3).remaining, 0U);
  EXPECT_FALSE(limiter.decide("k").allowed) << "half a token is not a token";
  clock_.advance(50ms);
  EXPECT_TRUE(limiter.decide("k").allowed);
}

TEST_F(TokenBucketTest, NeverHoldsMoreThanTheLimitAfterALongIdle) {
  TokenBucketLimiter limiter({"api", 5, 1s}, clock_, metrics_);
  static_cast<void>(limiter.decide("k"));
  clock_.advance(1h);
  const auto first = limiter.decide("k");
  EXPECT_EQ(first.remaining, 4U);
  EXPECT_EQ(first.reset, 1s);  // 200 ms to refill one token, rounded up
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.decide("k").allowed);
  EXPECT_FALSE(limiter.decide("k").allowed);
}

TEST_F(TokenBucketTest, RetryAfterCoversTheMissingTokensAndACostAboveTheLimitIsAlwaysDenied) {
  TokenBucketLimiter limiter({"bulk", 6, 60s}, clock_, metrics_);  // one token per 10 s
  ASSERT_TRUE(limiter.decide("k", 6).allowed);
  const auto denied = limiter.decide("k", 3);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, 30s);
  EXPECT_EQ(denied.reset, 60s);
  clock_.advance(29s);
  EXPECT_FALSE(limiter.decide("k", 3).allowed);
  EXPECT_EQ(limiter.decide("k", 3).retry_after, 1s);
  clock_.advance(1s);
  EXPECT_TRUE(limiter.decide("k", 3).allowed);

  clock_.advance(1h);
  const auto too_big = limiter.decide("k", 7);
  EXPECT_FALSE(too_big.allowed);
  EXPECT_EQ(too_big.remaining, 6U) << "a denied request spends nothing";
  EXPECT_EQ(too_big.retry_after, 60s);
}

TEST_F(TokenBucketTest, BoundsTheKeysPerShardByEvictingTheLeastRecentlyUsed) {
  TokenBucketLimiter limiter({"ip", 1, 1h}, clock_, metrics_, {.shards = 1, .keys_per_shard = 3});
  ASSERT_TRUE(limiter.decide("a").allowed);
  ASSERT_TRUE(limiter.decide("b").allowed);
  ASSERT_TRUE(limiter.decide("c").allowed);
  EXPECT_FALSE(limiter.decide("a").allowed);  // touches a: b is now the least recently used
  ASSERT_TRUE(limiter.decide("d").allowed);   // evicts b
  EXPECT_EQ(limiter.keys(), 3U);
  EXPECT_FALSE(limiter.decide("a").allowed) << "a was kept";
  EXPECT_FALSE(limiter.decide("c").allowed) << "c was kept";
  EXPECT_TRUE(limiter.decide("b").allowed) << "b was forgotten and starts again full (the documented price)";
  EXPECT_EQ(counter(metrics_, R"(orderly_rate_limit_evictions_total{policy="ip"})"), 2);
}

// Issue 16: a flood of logins for unknown e-mails must not flush a victim's
// per-account lock by pushing it out of a full shard.
TEST_F(TokenBucketTest, TrafficOnOtherKeysCannotEvictALockedKey) {
  TokenBucketLimiter limiter({"login-per-account", 3, 1h}, clock_, metrics_, {.shards = 1, .keys_per_shard = 8});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.decide("acct:victim").allowed);
  ASSERT_FALSE(limiter.decide("acct:victim").allowed);
  for (int i = 0; i < 4200; ++i) {
    EXPECT_TRUE(limiter.decide("acct:unknown-" + std::to_string(i)).allowed) << "a new key is still admitted";
  }
  EXPECT_LE(limiter.keys(), 8U);
  EXPECT_FALSE(limiter.decide("acct:victim").allowed) << "the lock outlived the flood";
}

TEST_F(TokenBucketTest, AShardFullOfLockedKeysStillAdmitsANewKey) {
  TokenBucketLimiter limiter({"login-per-account", 1, 1h}, clock_, metrics_, {.shards = 1, .keys_per_shard = 4});
  for (int i = 0; i < 4; ++i) {
    const auto key = "acct:" + std::to_string(i);
    ASSERT_TRUE(limiter.decide(key).allowed);
    ASSERT_FALSE(limiter.decide(key).allowed);
  }
  EXPECT_TRUE(limiter.decide("acct:newcomer").allowed) << "a table of locks does not refuse everyone else";
  EXPECT_EQ(limiter.keys(), 4U);
}

TEST_F(TokenBucketTest, AFloodOfDistinctKeysStaysWithinTheBound) {
  TokenBucketLimiter limiter({"ip", 1, 1s}, clock_, metrics_, {.shards = 4, .keys_per_shard = 8});
  for (int i = 0; i < 10'000; ++i) static_cast<void>(limiter.decide("10.0." + std::to_string(i)));
  EXPECT_LE(limiter.keys(), 32U);
  EXPECT_GE(limiter.keys(), 24U) << "the hash spreads keys over every shard";
}

TEST_F(TokenBucketTest, TwoThreadsSpendFromOneBucketWithoutLosingOrDoublingTokens) {
  TokenBucketLimiter limiter({"api", 1000, 1h}, clock_, metrics_, {.shards = 2, .keys_per_shard = 16});
  std::atomic<int> allowed{0};
  auto spend = [&] {
    for (int i = 0; i < 5000; ++i) {
      if (limiter.decide("shared").allowed) allowed.fetch_add(1);
      if (limiter.decide("own-" + std::to_string(i % 7)).allowed) continue;
    }
  };
  std::thread first(spend);
  std::thread second(spend);
  first.join();
  second.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST_F(TokenBucketTest, AcquireIsTheSameDecisionAsAnAwaitable) {
  TokenBucketLimiter limiter({"api", 1, 1s}, clock_, metrics_);
  EXPECT_TRUE(core::run_sync(limiter.acquire("k")).allowed);
  EXPECT_FALSE(core::run_sync(limiter.acquire("k")).allowed);
}

TEST_F(TokenBucketTest, RejectsAnInvalidPolicy) {
  EXPECT_THROW(TokenBucketLimiter({"", 1, 1s}, clock_, metrics_), std::invalid_argument);
  EXPECT_THROW(TokenBucketLimiter({"x", 0, 1s}, clock_, metrics_), std::invalid_argument);
  EXPECT_THROW(TokenBucketLimiter({"x", 1, 0ms}, clock_, metrics_), std::invalid_argument);
}

class SlidingWindowTest : public ::testing::Test {
 protected:
  SlidingWindowTest() {
    // Put the clock on a window boundary so the test reads in whole windows.
    const auto since_epoch = clock_.monotonic().time_since_epoch();
    clock_.advance(60s - since_epoch % 60s);
  }
  core::ManualClock clock_;
  core::metrics::Registry metrics_;
};

TEST_F(SlidingWindowTest, CountsUpToTheLimitWithinOneWindow) {
  SlidingWindowLimiter limiter({"login", 10, 60s}, clock_, metrics_);
  for (std::uint64_t i = 0; i < 10; ++i) {
    const auto decision = limiter.decide("alice");
    ASSERT_TRUE(decision.allowed);
    EXPECT_EQ(decision.remaining, 9 - i);
    EXPECT_EQ(decision.reset, 60s) << "the window just began";
  }
  const auto denied = limiter.decide("alice");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0U);
  // 10 in this window: the next window must be 1/10 through before the weight
  // of these 10 drops to 9: 60 s + 6 s.
  EXPECT_EQ(denied.retry_after, 66s);
  EXPECT_TRUE(limiter.decide("bob").allowed);
}

TEST_F(SlidingWindowTest, ThePreviousWindowWeighsByTheTimeLeftInTheCurrentOne) {
  SlidingWindowLimiter limiter({"login", 10, 60s}, clock_, metrics_);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.decide("k").allowed);

  clock_.advance(60s);  // the edge: the previous window still counts in full
  const auto at_edge = limiter.decide("k");
  EXPECT_FALSE(at_edge.allowed) << "no double burst at the window edge";
  EXPECT_EQ(at_edge.retry_after, 6s);
  EXPECT_EQ(at_edge.reset, 60s);

  clock_.advance(6s - 1ns);
  EXPECT_FALSE(limiter.decide("k").allowed) << "1 ns before 10 * 54/60 = 9";
  clock_.advance(1ns);
  const auto first = limiter.decide("k");
  EXPECT_TRUE(first.allowed) << "10 * 54/60 + 0 + 1 = 10";
  EXPECT_EQ(first.remaining, 0U);
  EXPECT_EQ(first.reset, 54s);

  clock_.advance(24s);  // 30 s into the window: 10 * 0.5 + 1 = 6 used
  const auto half = limiter.decide("k");
  EXPECT_TRUE(half.allowed);
  EXPECT_EQ(half.remaining, 3U);
}

TEST_F(SlidingWindowTest, AWindowOlderThanThePreviousOneIsForgotten) {
  SlidingWindowLimiter limiter({"login", 3, 60s}, clock_, metrics_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.decide("k").allowed);
  clock_.advance(120s);
  const auto decision = limiter.decide("k", 3);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.remaining, 0U);
}

TEST_F(SlidingWindowTest, RetryAfterWithinTheWindowFollowsTheDecayOfThePreviousWindow) {
  SlidingWindowLimiter limiter({"api", 10, 60s}, clock_, metrics_);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(limiter.decide("k").allowed);
  clock_.advance(60s);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.decide("k").allowed);  // 6 + 4 = 10
  // 6 * (60 - t)/60 + 4 + 1 <= 10  <=>  t >= 10 s
  EXPECT_EQ(limiter.decide("k").retry_after, 10s);
  clock_.advance(10s);
  EXPECT_TRUE(limiter.decide("k").allowed);
}

TEST_F(SlidingWindowTest, BoundsTheKeysAndSumsTwoThreadsExactly) {
  SlidingWindowLimiter limiter({"api", 500, 60s}, clock_, metrics_, {.shards = 2, .keys_per_shard = 4});
  for (int i = 0; i < 1000; ++i) static_cast<void>(limiter.decide("flood-" + std::to_string(i)));
  EXPECT_LE(limiter.keys(), 8U);

  std::atomic<int> allowed{0};
  auto spend = [&] {
    for (int i = 0; i < 2000; ++i) {
      if (limiter.decide("shared").allowed) allowed.fetch_add(1);
    }
  };
  std::thread first(spend);
  std::thread second(spend);
  first.join();
  second.join();
  EXPECT_EQ(allowed.load(), 500);
}

TEST_F(SlidingWindowTest, TrafficOnOtherKeysCannotEvictALockedKey) {
  SlidingWindowLimiter limiter({"login-per-account", 3, 1h}, clock_, metrics_, {.shards = 1, .keys_per_shard = 8});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.decide("acct:victim").allowed);
  ASSERT_FALSE(limiter.decide("acct:victim").allowed);
  for (int i = 0; i < 4200; ++i) static_cast<void>(limiter.decide("acct:unknown-" + std::to_string(i)));
  EXPECT_FALSE(limiter.decide("acct:victim").allowed) << "the lock outlived the flood";
}

}  // namespace
}  // namespace orderly::resilience
