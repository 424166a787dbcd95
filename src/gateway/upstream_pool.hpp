#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/hash_ring.hpp"
#include "net/http_client.hpp"
#include "resilience/backoff.hpp"
#include "resilience/bulkhead.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/retry_budget.hpp"

namespace orderly::gateway {

// One upstream instance as the balancer sees it. Counters are atomics read by
// every loop; the passive-ejection bookkeeping is under the pool's mutex,
// taken only on failures and on the first success after one.
struct Instance {
  // The breaker is named "<upstream>/<host:port>" in its metrics and logs.
  Instance(core::HostPort where, const std::string& upstream, const resilience::CircuitBreakerOptions& breaker_options,
           const core::Clock& clock, core::metrics::Registry& metrics)
      : address(std::move(where)),
        label(address.to_string()),
        breaker(upstream + "/" + label, breaker_options, clock, metrics) {}

  core::HostPort address;
  std::string label;
  std::atomic<long> in_flight{0};   // for least_request; the upstream's cap is its bulkhead
  std::atomic<bool> healthy{true};  // active checks; optimistic until they say otherwise
  std::atomic<std::int64_t> ejected_until_ns{0};  // steady clock; passive ejection
  resilience::CircuitBreaker breaker;
  // Under UpstreamPool::mutex_:
  unsigned consecutive_5xx = 0;
  unsigned consecutive_connect_failures = 0;
  std::atomic<unsigned> ejections{0};
  std::atomic<bool> failing{false};  // some consecutive counter is non-zero (cheap check on success)
  // Touched only by the health checker's loop:
  unsigned check_passes = 0;
  unsigned check_failures = 0;
};

// What became of one attempt on an instance. local_limit: the attempt never
// left this process (its connection pool was full), which says nothing about
// the instance.
enum class Outcome { success, server_error, connect_failure, timeout, local_limit };

// An upstream pool: its instances, how to choose among them, the health
// verdicts about them, the HTTP client that reaches them, and the
// resilience::Bulkhead (max_inflight / max_pending / max_wait) and
// resilience::RetryBudget (named after the upstream) that every request to it
// shares. Shared by every event loop; thread-safe. Metrics go to `metrics`.
class UpstreamPool {
 public:
  // Throws std::invalid_argument for breaker or retry settings the
  // resilience library refuses (the config parser rejects them first).
  UpstreamPool(UpstreamConfig config, const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics);

  [[nodiscard]] const UpstreamConfig& config() const { return config_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Instance>>& instances() const { return instances_; }
  [[nodiscard]] net::HttpClient& client() { return client_; }
  [[nodiscard]] resilience::RetryBudget& retry_budget() { return retry_budget_; }
  [[nodiscard]] resilience::Bulkhead& bulkhead() { return bulkhead_; }
  // max_retries + 1 attempts, the back-off of config().retry.
  [[nodiscard]] const resilience::RetryPolicy& retry_policy() const { return retry_policy_; }

  // An instance for the next attempt, skipping `tried` (earlier attempts of
  // the same request), or null when none is available. `hash_key` is used by
  // consistent_hash only. A returned instance has passed its breaker (maybe
  // as a half-open probe): report the attempt's outcome with record()
  // exactly once.
  Instance* choose(std::string_view hash_key, std::span<const Instance* const> tried);

  void record(Instance& instance, Outcome outcome);

  // Active health check verdicts (called from the checker only).
  void record_check(Instance& instance, bool passed);

  [[nodiscard]] bool is_ejected(const Instance& instance) const;
  [[nodiscard]] boost::json::value describe() const;

 private:
  [[nodiscard]] bool available(const Instance& instance) const;
  void eject_if_allowed(Instance& instance, std::string_view reason);

  UpstreamConfig config_;
  const core::Clock& clock_;
  core::Random& random_;
  std::vector<std::unique_ptr<Instance>> instances_;
  HashRing ring_;
  net::HttpClient client_;
  resilience::RetryPolicy retry_policy_;
  resilience::RetryBudget retry_budget_;
  resilience::Bulkhead bulkhead_;
  std::atomic<std::uint64_t> next_{0};
  std::mutex mutex_;
};

}  // namespace orderly::gateway
