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

// An in-process sliding-window counter per key (the two-window weighted
// approximation): time is cut into fixed windows aligned on multiples of the
// policy's window; a key counts what it spent in the current window and in
// the previous one, and a request is allowed when
//   previous * (time left in the current window / window) + current + cost <= limit.
// Unlike a fixed window it allows no double burst at a window edge; unlike a
// log of timestamps it costs two counters a key. The arithmetic is exact
// (integers), so the edges are where the formula says.
//
// RateDecision: remaining = what the estimate leaves; reset = until the
// current fixed window ends; retry_after = until the estimate has decayed
// enough for `cost`.
//
// Time comes from core::Clock::monotonic(); memory is bounded by
// LocalLimiterOptions as for TokenBucketLimiter. Thread-safe; acquire() never
// suspends, decide() is the same decision, synchronous.
class SlidingWindowLimiter final : public RateLimiter {
 public:
  // Throws std::invalid_argument for an invalid policy (see validate()).
  SlidingWindowLimiter(RateLimitPolicy policy, const core::Clock& clock, core::metrics::Registry& metrics,
                       LocalLimiterOptions options = {});
  ~SlidingWindowLimiter() override;

  [[nodiscard]] const RateLimitPolicy& policy() const override { return policy_; }
  boost::asio::awaitable<RateDecision> acquire(std::string key, std::uint64_t cost = 1) override;
  [[nodiscard]] RateDecision decide(std::string key, std::uint64_t cost = 1);

  [[nodiscard]] std::size_t keys() const;

 private:
  struct Counts;

  RateLimitPolicy policy_;
  const core::Clock& clock_;
  RateLimitMetrics metrics_;
  std::unique_ptr<KeyedState<Counts>> counts_;
};

}  // namespace orderly::resilience
