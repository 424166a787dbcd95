#pragma once

#include <chrono>
#include <string>

namespace orderly::catalog {

// RFC 3339 UTC with milliseconds, "2026-11-21T10:00:00.123Z": the form of
// every time the catalog stores and shows (text sorts in time order).
[[nodiscard]] std::string rfc3339_ms(std::chrono::system_clock::time_point time);

}  // namespace orderly::catalog
