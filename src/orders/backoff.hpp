#pragma once

#include <chrono>
#include <cstdint>

#include "core/random.hpp"

namespace orderly::orders {

// Exponential back-off with full jitter: a uniform delay in
// [0, min(max, base * 2^attempt)], so retries of many sagas that failed
// together spread out instead of hitting the provider in waves.
[[nodiscard]] std::chrono::milliseconds full_jitter_backoff(core::Random& random, std::int64_t attempt,
                                                            std::chrono::milliseconds base,
                                                            std::chrono::milliseconds max);

}  // namespace orderly::orders
