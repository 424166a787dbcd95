#include "orders/backoff.hpp"

#include <algorithm>

namespace orderly::orders {

std::chrono::milliseconds full_jitter_backoff(core::Random& random, std::int64_t attempt,
                                              std::chrono::milliseconds base, std::chrono::milliseconds max) {
  const auto doublings = std::clamp<std::int64_t>(attempt, 0, 30);
  const auto ceiling = std::min<std::int64_t>(max.count(), base.count() << doublings);
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(random.next_u64() % static_cast<std::uint64_t>(ceiling + 1)));
}

}  // namespace orderly::orders
