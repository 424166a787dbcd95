#pragma once

#include <atomic>
#include <cstdint>

#include "core/clock.hpp"
#include "gateway/gateway_config.hpp"

namespace orderly::gateway {

// Caps retries at a share of the requests (budget_ratio, e.g. 20 %) per
// one-second window, with a floor of budget_min_per_second, so retries cannot
// multiply the load on an upstream that is already failing. Approximate by
// design: relaxed atomics, a window that resets on the first call of each
// second. Thread-safe and lock-free.
class RetryBudget {
 public:
  RetryBudget(RetryConfig config, const core::Clock& clock) : config_(config), clock_(clock) {}

  void on_request();
  // True (and the retry counted) when one more retry fits in this window.
  [[nodiscard]] bool try_spend();

 private:
  void roll();

  RetryConfig config_;
  const core::Clock& clock_;
  std::atomic<std::int64_t> window_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> retries_{0};
};

}  // namespace orderly::gateway
