#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "resilience/rolling_tally.hpp"

namespace orderly::resilience {

struct RetryBudgetOptions {
  double ratio = 0.2;                              // retries may add at most this share of the requests
  std::uint32_t min_retries_per_second = 10;       // ... plus this many, so a quiet service can still retry
  std::chrono::milliseconds window{10'000};        // the rolling window both are counted over
};

// Caps retries to a share of the traffic, so retries cannot multiply the load
// on a struggling dependency (a retry storm): over the rolling window, a retry
// is allowed while retries + 1 <= ratio * requests + min_retries_per_second *
// window-in-seconds. One budget per dependency, shared by every caller of it.
//
// Metrics, labelled name=<name>: orderly_retry_budget_exhausted_total (retries
// refused). Thread-safe; time from core::Clock::monotonic().
class RetryBudget {
 public:
  // Throws std::invalid_argument for a negative ratio or a window under 1 ms.
  RetryBudget(std::string name, RetryBudgetOptions options, const core::Clock& clock,
              core::metrics::Registry& metrics);

  // Counts one original request (each first attempt).
  void on_request();
  // True, and counts the retry, when the budget has room for one more.
  [[nodiscard]] bool try_spend_retry();

 private:
  RetryBudgetOptions options_;
  const core::Clock& clock_;
  double reserve_;  // min_retries_per_second over the window
  std::mutex mutex_;
  RollingTally tally_;  // events: requests, marked: retries
  core::metrics::Counter& exhausted_;
};

}  // namespace orderly::resilience
