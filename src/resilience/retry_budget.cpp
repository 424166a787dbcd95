#include "resilience/retry_budget.hpp"

#include <stdexcept>

namespace orderly::resilience {
namespace {
constexpr std::size_t kWindowBuckets = 10;

const RetryBudgetOptions& validated(const RetryBudgetOptions& options) {
  if (!(options.ratio >= 0.0)) throw std::invalid_argument("retry budget ratio must not be negative");
  if (options.window < std::chrono::milliseconds(1)) throw std::invalid_argument("retry budget window under 1 ms");
  return options;
}
}  // namespace

RetryBudget::RetryBudget(std::string name, RetryBudgetOptions options, const core::Clock& clock,
                         core::metrics::Registry& metrics)
    : options_(validated(options)),
      clock_(clock),
      reserve_(static_cast<double>(options_.min_retries_per_second) *
               std::chrono::duration<double>(options_.window).count()),
      tally_(options_.window, kWindowBuckets),
      exhausted_(metrics
                     .counter("orderly_retry_budget_exhausted_total",
                              "Retries refused because the retry budget was spent.", {"name"})
                     .with_labels({std::move(name)})) {}

void RetryBudget::on_request() {
  const auto now = clock_.monotonic();
  const std::lock_guard lock(mutex_);
  tally_.add(now, 1, 0);
}

bool RetryBudget::try_spend_retry() {
  const auto now = clock_.monotonic();
  const std::lock_guard lock(mutex_);
  const auto totals = tally_.totals(now);
  if (static_cast<double>(totals.marked + 1) > options_.ratio * static_cast<double>(totals.events) + reserve_) {
    exhausted_.inc();
    return false;
  }
  tally_.add(now, 0, 1);
  return true;
}

}  // namespace orderly::resilience
