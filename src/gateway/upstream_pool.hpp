#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/hash_ring.hpp"
#include "gateway/instance_breaker.hpp"
#include "gateway/retry_budget.hpp"
#include "net/http_client.hpp"

namespace orderly::gateway {

// One upstream instance as the balancer sees it. Counters are atomics read by
// every loop; the passive-ejection bookkeeping is under the pool's mutex,
// taken only on failures and on the first success after one.
struct Instance {
  Instance(core::HostPort where, BreakerConfig breaker_config, const core::Clock& clock)
      : address(std::move(where)), label(address.to_string()), breaker(breaker_config, clock) {}

  core::HostPort address;
  std::string label;
  std::atomic<long> in_flight{0};
  std::atomic<bool> healthy{true};  // active checks; optimistic until they say otherwise
  std::atomic<std::int64_t> ejected_until_ns{0};  // steady clock; passive ejection
  InstanceBreaker breaker;
  // Under UpstreamPool::mutex_:
  unsigned consecutive_5xx = 0;
  unsigned consecutive_connect_failures = 0;
  std::atomic<unsigned> ejections{0};
  std::atomic<bool> failing{false};  // some consecutive counter is non-zero (cheap check on success)
  // Touched only by the health checker's loop:
  unsigned check_passes = 0;
  unsigned check_failures = 0;
};

enum class Outcome { success, server_error, connect_failure, timeout, refused_by_breaker };

// An upstream pool: its instances, how to choose among them, the health
// verdicts about them, and the HTTP client that reaches them. Shared by every
// event loop; thread-safe.
class UpstreamPool {
 public:
  UpstreamPool(UpstreamConfig config, const core::Clock& clock, core::Random& random);

  [[nodiscard]] const UpstreamConfig& config() const { return config_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Instance>>& instances() const { return instances_; }
  [[nodiscard]] net::HttpClient& client() { return client_; }
  [[nodiscard]] RetryBudget& retry_budget() { return retry_budget_; }
  std::atomic<long>& in_flight() { return in_flight_; }

  // An instance for the next attempt, skipping `tried` (earlier attempts of
  // the same request), or null when none is available. `hash_key` is used by
  // consistent_hash only. A returned instance has passed its breaker; report
  // the attempt's outcome with record().
  Instance* choose(std::string_view hash_key, const std::vector<const Instance*>& tried);

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
  RetryBudget retry_budget_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<long> in_flight_{0};
  std::mutex mutex_;
};

}  // namespace orderly::gateway
