#include "resilience/circuit_breaker.hpp"

#include "core/logging.hpp"

namespace orderly::resilience {
namespace {

// Slices of the failure-rate window: old calls leave it in steps of a tenth.
constexpr std::size_t kWindowBuckets = 10;

const CircuitBreakerOptions& validated(const CircuitBreakerOptions& options, const std::string& name) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument("circuit breaker " + name + ": " + why);
  };
  if (!(options.failure_rate > 0.0 && options.failure_rate <= 1.0)) fail("failure_rate must be in (0, 1]");
  if (options.half_open_probes == 0) fail("half_open_probes must be at least 1");
  if (options.success_threshold == 0) fail("success_threshold must be at least 1");
  if (options.window < std::chrono::milliseconds(1)) fail("window must be at least 1 ms");
  if (options.cool_down < std::chrono::milliseconds(1)) fail("cool_down must be at least 1 ms");
  return options;
}

}  // namespace

const char* to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(std::string name, CircuitBreakerOptions options, const core::Clock& clock,
                               core::metrics::Registry& metrics)
    : name_(std::move(name)),
      options_(validated(options, name_)),
      clock_(clock),
      calls_(options_.window, kWindowBuckets),
      state_gauge_(metrics
                       .gauge("orderly_circuit_breaker_state",
                              "Circuit breaker state: 0 closed, 1 open, 2 half-open.", {"name"})
                       .with_labels({name_})),
      transitions_(metrics.counter("orderly_circuit_breaker_transitions_total",
                                   "Circuit breaker state changes, by the state entered.", {"name", "to"})),
      rejections_(metrics
                      .counter("orderly_circuit_breaker_rejections_total",
                               "Calls a circuit breaker refused while open or out of half-open probes.", {"name"})
                      .with_labels({name_})) {
  state_gauge_.set(0);
}

bool CircuitBreaker::try_acquire() {
  if (state_.load(std::memory_order_acquire) == BreakerState::closed) return true;
  const auto now = clock_.monotonic();
  const std::lock_guard lock(mutex_);
  auto current = state_.load(std::memory_order_relaxed);
  if (current == BreakerState::closed) return true;
  if (current == BreakerState::open && now - opened_at_ >= options_.cool_down) {
    move_to(BreakerState::half_open, now);
    current = BreakerState::half_open;
  }
  if (current == BreakerState::half_open && probes_in_flight_ < options_.half_open_probes) {
    ++probes_in_flight_;
    return true;
  }
  rejections_.inc();
  return false;
}

void CircuitBreaker::on_success() {
  const auto now = clock_.monotonic();
  const std::lock_guard lock(mutex_);
  switch (state_.load(std::memory_order_relaxed)) {
    case BreakerState::closed:
      consecutive_failures_ = 0;
      calls_.add(now, 1, 0);
      break;
    case BreakerState::half_open:
      if (probes_in_flight_ > 0) --probes_in_flight_;
      if (++probe_successes_ >= options_.success_threshold) move_to(BreakerState::closed, now);
      break;
    case BreakerState::open:
      break;
  }
}

void CircuitBreaker::on_failure() {
  const auto now = clock_.monotonic();
  const std::lock_guard lock(mutex_);
  switch (state_.load(std::memory_order_relaxed)) {
    case BreakerState::closed:
      ++consecutive_failures_;
      calls_.add(now, 1, 1);
      if ((options_.consecutive_failures > 0 && consecutive_failures_ >= options_.consecutive_failures) ||
          rate_tripped(now)) {
        move_to(BreakerState::open, now);
      }
      break;
    case BreakerState::half_open:
      move_to(BreakerState::open, now);
      break;
    case BreakerState::open:
      break;
  }
}

bool CircuitBreaker::rate_tripped(std::chrono::steady_clock::time_point now) {
  if (options_.minimum_calls == 0) return false;
  const auto totals = calls_.totals(now);
  return totals.events >= options_.minimum_calls &&
         static_cast<double>(totals.marked) >= options_.failure_rate * static_cast<double>(totals.events);
}

void CircuitBreaker::move_to(BreakerState next, std::chrono::steady_clock::time_point now) {
  const auto previous = state_.load(std::memory_order_relaxed);
  consecutive_failures_ = 0;
  probes_in_flight_ = 0;
  probe_successes_ = 0;
  if (next == BreakerState::open) opened_at_ = now;
  if (next == BreakerState::closed) calls_.clear();  // a closed breaker starts from a clean record
  state_.store(next, std::memory_order_release);
  state_gauge_.set(static_cast<double>(static_cast<int>(next)));
  transitions_.with_labels({name_, to_string(next)}).inc();
  core::log::warn("circuit_breaker_state",
                  {{"name", name_}, {"from", to_string(previous)}, {"to", to_string(next)}});
}

}  // namespace orderly::resilience
