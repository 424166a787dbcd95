#include "resilience/backoff.hpp"

#include <algorithm>

namespace orderly::resilience {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, std::uint32_t retry, core::Random& random) {
  const std::int64_t base = std::max<std::int64_t>(0, policy.base_delay.count());
  const std::int64_t ceiling = std::max<std::int64_t>(0, policy.max_delay.count());
  // Doubling stops at the ceiling, before it could overflow.
  std::int64_t cap = base;
  for (std::uint32_t i = 1; i < retry && cap > 0 && cap < ceiling; ++i) cap *= 2;
  cap = std::min(cap, ceiling);
  if (cap == 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(random.next_u64() % static_cast<std::uint64_t>(cap + 1)));
}

bool is_retry_safe(std::string_view method, bool has_idempotency_key) {
  return has_idempotency_key || method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

}  // namespace orderly::resilience
