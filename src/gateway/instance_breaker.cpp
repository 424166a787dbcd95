#include "gateway/instance_breaker.hpp"

#include "core/logging.hpp"

namespace orderly::gateway {

std::string_view to_string(InstanceBreaker::State state) {
  switch (state) {
    case InstanceBreaker::State::closed: return "closed";
    case InstanceBreaker::State::open: return "open";
    case InstanceBreaker::State::half_open: return "half_open";
  }
  return "unknown";
}

bool InstanceBreaker::try_acquire() {
  if (!config_.enabled || state_.load(std::memory_order_relaxed) == State::closed) return true;
  const std::lock_guard lock(mutex_);
  const auto state = state_.load(std::memory_order_relaxed);
  if (state == State::closed) return true;
  if (state == State::open) {
    if (clock_.monotonic() < opened_at_ + config_.open_for) return false;
    state_.store(State::half_open, std::memory_order_relaxed);
    probes_in_flight_ = 0;
  }
  if (probes_in_flight_ >= config_.half_open_probes) return false;
  ++probes_in_flight_;
  return true;
}

void InstanceBreaker::on_success() {
  if (failures_.load(std::memory_order_relaxed) != 0) failures_.store(0, std::memory_order_relaxed);
  if (state_.load(std::memory_order_relaxed) == State::closed) return;
  const std::lock_guard lock(mutex_);
  if (state_.load(std::memory_order_relaxed) == State::half_open) {
    state_.store(State::closed, std::memory_order_relaxed);
    probes_in_flight_ = 0;
  }
}

void InstanceBreaker::on_failure() {
  if (!config_.enabled) return;
  const auto failures = failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::lock_guard lock(mutex_);
  const auto state = state_.load(std::memory_order_relaxed);
  if (state == State::half_open || (state == State::closed && failures >= config_.consecutive_failures)) {
    state_.store(State::open, std::memory_order_relaxed);
    opened_at_ = clock_.monotonic();
    probes_in_flight_ = 0;
  }
}

InstanceBreaker::State InstanceBreaker::state() const {
  return state_.load(std::memory_order_relaxed);
}

bool InstanceBreaker::may_allow() const {
  if (!config_.enabled || state_.load(std::memory_order_relaxed) != State::open) return true;
  const std::lock_guard lock(mutex_);
  return clock_.monotonic() >= opened_at_ + config_.open_for;
}

}  // namespace orderly::gateway
