#include "gateway/retry_budget.hpp"

#include <algorithm>

namespace orderly::gateway {

void RetryBudget::roll() {
  const auto second =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.monotonic().time_since_epoch()).count();
  auto current = window_.load(std::memory_order_relaxed);
  if (current != second && window_.compare_exchange_strong(current, second, std::memory_order_relaxed)) {
    requests_.store(0, std::memory_order_relaxed);
    retries_.store(0, std::memory_order_relaxed);
  }
}

void RetryBudget::on_request() {
  roll();
  requests_.fetch_add(1, std::memory_order_relaxed);
}

bool RetryBudget::try_spend() {
  roll();
  const auto requests = static_cast<double>(requests_.load(std::memory_order_relaxed));
  const auto allowed =
      std::max<double>(config_.budget_min_per_second, requests * config_.budget_ratio);
  if (static_cast<double>(retries_.fetch_add(1, std::memory_order_relaxed)) >= allowed) {
    retries_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

}  // namespace orderly::gateway
