#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string_view>

#include "core/clock.hpp"
#include "gateway/gateway_config.hpp"

namespace orderly::gateway {

// A circuit breaker for one upstream instance: closed until
// `consecutive_failures` failures in a row, then open (calls refused at once)
// for `open_for`, then half-open: up to `half_open_probes` calls go through;
// a success closes it, a failure opens it again.
//
// The seam the gateway uses until src/resilience's CircuitBreaker lands.
// Thread-safe: the closed-state success path is one relaxed load; state
// changes take a mutex (failures only).
class InstanceBreaker {
 public:
  enum class State { closed, open, half_open };

  InstanceBreaker(BreakerConfig config, const core::Clock& clock) : config_(config), clock_(clock) {}

  // Whether a call may go to this instance now. In half-open, a true answer
  // takes one of the probe slots: report its outcome with on_success or on_failure.
  [[nodiscard]] bool try_acquire();
  void on_success();
  void on_failure();

  [[nodiscard]] State state() const;
  // Without side effects: false while open and cooling down.
  [[nodiscard]] bool may_allow() const;

 private:
  BreakerConfig config_;
  const core::Clock& clock_;
  std::atomic<State> state_{State::closed};
  std::atomic<unsigned> failures_{0};
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point opened_at_{};
  unsigned probes_in_flight_ = 0;
};

[[nodiscard]] std::string_view to_string(InstanceBreaker::State state);

}  // namespace orderly::gateway
