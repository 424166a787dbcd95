#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "core/random.hpp"

namespace orderly::queue {

// When a failed message is tried again: exponential back-off with full
// jitter (a random wait between 0 and base * 2^(attempt-1), capped), so
// consumers that failed together do not retry together.
struct RetryPolicy {
  int delivery_limit = 5;  // deliveries before the dead-letter queue
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{60'000};

  [[nodiscard]] std::chrono::milliseconds delay_after(int attempt, core::Random& random) const {
    const auto exponent = std::clamp(attempt - 1, 0, 30);
    const auto ceiling = std::min<std::int64_t>(max_delay.count(), base_delay.count() << exponent);
    if (ceiling <= 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(random.next_u64() % static_cast<std::uint64_t>(ceiling + 1)));
  }
};

}  // namespace orderly::queue
