#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "resilience/rolling_tally.hpp"

namespace orderly::resilience {

enum class BreakerState { closed = 0, open = 1, half_open = 2 };

[[nodiscard]] const char* to_string(BreakerState state);

struct CircuitBreakerOptions {
  std::uint32_t consecutive_failures = 5;          // trip after this many failures in a row; 0 turns it off
  double failure_rate = 0.5;                       // trip when failures / calls in the window reach this
  std::uint32_t minimum_calls = 20;                // ... over at least this many calls; 0 turns the rate trip off
  std::chrono::milliseconds window{10'000};        // the rolling window of the failure rate
  std::chrono::milliseconds cool_down{5'000};      // open this long before probing (half-open)
  std::uint32_t half_open_probes = 1;              // calls let through at once while half-open
  std::uint32_t success_threshold = 1;             // successful probes in a row that close it again
};

// Raised by CircuitBreaker::run when the breaker refuses the call; callers
// answer 503 at once (the upstream is believed down).
class CircuitOpenError : public std::runtime_error {
 public:
  explicit CircuitOpenError(const std::string& name) : std::runtime_error("circuit breaker " + name + " is open") {}
};

// A circuit breaker in front of one dependency (an upstream pool, the payment
// provider). Closed: calls pass, results are counted; it trips to open on
// `consecutive_failures` failures in a row, or when at least `minimum_calls`
// calls in the rolling `window` failed at `failure_rate` or more. Open: calls
// are refused at once for `cool_down`. Then half-open: at most
// `half_open_probes` calls at a time go through; `success_threshold`
// successes close it, any failure opens it again for another cool-down.
//
// Use: `if (!breaker.try_acquire()) reject; ... breaker.on_success()` or
// `on_failure()` exactly once per admitted call (what counts as a failure is
// the caller's: a 5xx, a timeout, a refused connection; not a 4xx), or
// `co_await breaker.run(call())`, which counts any exception as a failure.
// Results reported while open are ignored (calls admitted before the trip).
//
// Time comes from core::Clock::monotonic(); open turns half-open on the first
// try_acquire() after the cool-down. Metrics, labelled name=<name>:
// orderly_circuit_breaker_state (0 closed, 1 open, 2 half-open),
// orderly_circuit_breaker_transitions_total{name,to}, and
// orderly_circuit_breaker_rejections_total. Each transition is logged
// (event circuit_breaker_state).
//
// Thread-safe. Hot path: try_acquire() while closed is one atomic load
// (rate_limiter_benchmark.cpp: BM_CircuitBreakerAcquireClosed); results take a
// mutex.
class CircuitBreaker {
 public:
  // Throws std::invalid_argument for options that cannot work (a failure rate
  // outside (0, 1], no probes, no success threshold, a window or cool-down under 1 ms).
  CircuitBreaker(std::string name, CircuitBreakerOptions options, const core::Clock& clock,
                 core::metrics::Registry& metrics);
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // True when a call may go out now (the caller then reports its result).
  [[nodiscard]] bool try_acquire();
  void on_success();
  void on_failure();

  // The state as of the last call into the breaker.
  [[nodiscard]] BreakerState state() const { return state_.load(std::memory_order_acquire); }
  [[nodiscard]] const std::string& name() const { return name_; }

  // Runs `call` if the breaker admits it, else throws CircuitOpenError.
  template <class T>
  boost::asio::awaitable<T> run(boost::asio::awaitable<T> call) {
    if (!try_acquire()) throw CircuitOpenError(name_);
    if constexpr (std::is_void_v<T>) {
      try {
        co_await std::move(call);
      } catch (...) {
        on_failure();
        throw;
      }
      on_success();
    } else {
      try {
        T result = co_await std::move(call);
        on_success();
        co_return result;
      } catch (...) {
        on_failure();
        throw;
      }
    }
  }

 private:
  void move_to(BreakerState next, std::chrono::steady_clock::time_point now);  // caller holds mutex_
  [[nodiscard]] bool rate_tripped(std::chrono::steady_clock::time_point now);

  std::string name_;
  CircuitBreakerOptions options_;
  const core::Clock& clock_;
  std::atomic<BreakerState> state_{BreakerState::closed};
  std::mutex mutex_;
  RollingTally calls_;  // events: calls, marked: failures (closed state only)
  std::uint32_t consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point opened_at_{};
  std::uint32_t probes_in_flight_ = 0;
  std::uint32_t probe_successes_ = 0;
  core::metrics::Gauge& state_gauge_;
  core::metrics::Family<core::metrics::Counter>& transitions_;
  core::metrics::Counter& rejections_;
};

}  // namespace orderly::resilience
