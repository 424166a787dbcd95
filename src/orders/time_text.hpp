#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace orderly::orders {

// RFC 3339 UTC with milliseconds: "2026-11-21T23:58:24.123Z".
[[nodiscard]] std::string rfc3339_ms(std::chrono::system_clock::time_point time);

// Milliseconds since the epoch: what the tables compare and order by.
[[nodiscard]] std::int64_t epoch_ms(std::chrono::system_clock::time_point time);

}  // namespace orderly::orders
