#include "queue/rabbitmq/retry_ladder.hpp"

#include <algorithm>

namespace orderly::queue::rabbitmq {

namespace {
constexpr std::size_t kMaxSteps = 32;
}

RetryLadder::RetryLadder(const RetryPolicy& policy) : policy_(policy) {
  if (policy.base_delay.count() <= 0) return;
  const auto cap = std::max(policy.max_delay, policy.base_delay);
  for (auto step = policy.base_delay; step < cap && steps_.size() + 1 < kMaxSteps; step *= 2) {
    steps_.push_back(step);
  }
  steps_.push_back(cap);
}

std::chrono::milliseconds RetryLadder::delay_after(int attempt, core::Random& random) const {
  if (steps_.empty()) return std::chrono::milliseconds(0);
  const auto wanted = policy_.delay_after(attempt, random);
  const auto step = std::lower_bound(steps_.begin(), steps_.end(), wanted);
  return step == steps_.end() ? steps_.back() : *step;
}

}  // namespace orderly::queue::rabbitmq
