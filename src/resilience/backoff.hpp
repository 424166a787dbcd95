#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/random.hpp"

namespace orderly::resilience {

// How a caller retries one logical call.
struct RetryPolicy {
  std::uint32_t max_attempts = 3;                 // the first try included; 1 means no retry
  std::chrono::milliseconds base_delay{25};       // the back-off before the first retry is up to this
  std::chrono::milliseconds max_delay{1000};      // the back-off never exceeds this
  std::chrono::milliseconds per_try_timeout{0};   // each attempt's limit; 0: none
  std::chrono::milliseconds overall_timeout{0};   // all attempts and back-offs together; 0: none
};

// The back-off before retry number `retry` (1 for the first retry):
// exponential with full jitter, uniform in [0, min(max_delay, base_delay * 2^(retry-1))],
// so clients that failed together do not retry together.
[[nodiscard]] std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, std::uint32_t retry,
                                                      core::Random& random);

// Whether repeating a request cannot add an effect: GET and HEAD (also
// OPTIONS and TRACE, safe by RFC 9110), or any request carrying an
// Idempotency-Key that the server deduplicates. Method names compare exactly
// (HTTP methods are case-sensitive).
[[nodiscard]] bool is_retry_safe(std::string_view method, bool has_idempotency_key);

}  // namespace orderly::resilience
