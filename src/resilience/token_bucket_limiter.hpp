#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "resilience/keyed_state.hpp"
#include "resilience/rate_limit_metrics.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::resilience {

// An in-process token bucket per key: a bucket holds at most `limit` tokens,
// starts full, and refills continuously at limit / window (exactly: the
// arithmetic is in integer token-nanoseconds, so 10 per second gives one token
// after exactly 100 ms). A request spends `cost` tokens or is denied without
// spending. Bursts up to `limit` are allowed; the long-run rate is the policy's.
//
// RateDecision: remaining = whole tokens left; reset = until the bucket is
// full; retry_after = until `cost` tokens are there.
//
// Time comes from core::Clock::monotonic(). Memory is bounded by
// LocalLimiterOptions (least recently used keys evicted, a locked bucket last;
// counted in orderly_rate_limit_evictions_total). Thread-safe; acquire() never suspends,
// and decide() is the same decision, synchronous. Hot path: one hash, one
// uncontended shard lock, a few integer operations
// (rate_limiter_benchmark.cpp: BM_TokenBucketAcquire).
class TokenBucketLimiter final : public RateLimiter {
 public:
  // Throws std::invalid_argument for an invalid policy (see validate()).
  TokenBucketLimiter(RateLimitPolicy policy, const core::Clock& clock, core::metrics::Registry& metrics,
                     LocalLimiterOptions options = {});
  ~TokenBucketLimiter() override;

  [[nodiscard]] const RateLimitPolicy& policy() const override { return policy_; }
  boost::asio::awaitable<RateDecision> acquire(std::string key, std::uint64_t cost = 1) override;
  [[nodiscard]] RateDecision decide(std::string key, std::uint64_t cost = 1);

  [[nodiscard]] std::size_t keys() const;

 private:
  struct Bucket;

  RateLimitPolicy policy_;
  const core::Clock& clock_;
  RateLimitMetrics metrics_;
  std::unique_ptr<KeyedState<Bucket>> buckets_;
};

}  // namespace orderly::resilience
