#include "resilience/rate_limit_metrics.hpp"

namespace orderly::resilience {
namespace {

core::metrics::Family<core::metrics::Counter>& decisions(core::metrics::Registry& registry) {
  return registry.counter("orderly_rate_limit_decisions_total", "Rate limit decisions by policy and outcome.",
                          {"policy", "decision"});
}

core::metrics::Family<core::metrics::Counter>& backend_failures(core::metrics::Registry& registry) {
  return registry.counter("orderly_rate_limit_backend_failures_total",
                          "Rate limit decisions taken without the shared store, by failure mode.", {"policy", "mode"});
}

}  // namespace

RateLimitMetrics::RateLimitMetrics(core::metrics::Registry& registry, const std::string& policy)
    : allowed(decisions(registry).with_labels({policy, "allowed"})),
      denied(decisions(registry).with_labels({policy, "denied"})),
      evicted(registry
                  .counter("orderly_rate_limit_evictions_total",
                           "Keys an in-process rate limiter forgot to stay within its key bound.", {"policy"})
                  .with_labels({policy})),
      failed_open(backend_failures(registry).with_labels({policy, "open"})),
      failed_closed(backend_failures(registry).with_labels({policy, "closed"})) {}

}  // namespace orderly::resilience
