#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace orderly::core {

// RFC 3339 UTC with milliseconds: "2026-11-21T09:30:00.123Z". Sorts as text
// in time order, which the outbox relay and list endpoints rely on.
[[nodiscard]] std::string format_rfc3339(std::chrono::system_clock::time_point time);

// Milliseconds since the Unix epoch: how times that logic compares (expiry,
// visibility, leases) are stored in both SQL dialects.
[[nodiscard]] inline std::int64_t epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace orderly::core
