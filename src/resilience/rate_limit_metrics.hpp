#pragma once

#include <string>

#include "core/metrics.hpp"

namespace orderly::resilience {

// The counters every rate limiter keeps, labelled policy=<name>:
//   orderly_rate_limit_decisions_total{policy,decision="allowed|denied"}
//   orderly_rate_limit_evictions_total{policy}      keys forgotten to bound memory (in-process limiters)
//   orderly_rate_limit_backend_failures_total{policy,mode="open|closed"}
//                                                   decisions made without the shared store (Redis down)
struct RateLimitMetrics {
  RateLimitMetrics(core::metrics::Registry& registry, const std::string& policy);

  core::metrics::Counter& allowed;
  core::metrics::Counter& denied;
  core::metrics::Counter& evicted;
  core::metrics::Counter& failed_open;
  core::metrics::Counter& failed_closed;
};

}  // namespace orderly::resilience
