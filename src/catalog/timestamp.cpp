#include "catalog/timestamp.hpp"

#include <fmt/chrono.h>

namespace orderly::catalog {

std::string rfc3339_ms(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
  return fmt::format("{:%FT%T}.{:03}Z", seconds, (ms - seconds).count());
}

}  // namespace orderly::catalog
