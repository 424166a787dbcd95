#include "core/config_values.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace orderly::core::config_values {
namespace {

// Splits "10ms" into 10 and "ms"; throws when there is no leading number.
std::pair<std::uint64_t, std::string_view> split_number(std::string_view text, std::string_view expected) {
  std::uint64_t number = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc{} || rest == text.data()) {
    throw std::invalid_argument(fmt::format("expected {}, got '{}'", expected, text));
  }
  return {number, std::string_view(rest, static_cast<std::size_t>(end - rest))};
}

std::uint64_t checked_multiply(std::uint64_t value, std::uint64_t factor, std::string_view text) {
  if (value > std::numeric_limits<std::uint64_t>::max() / factor) {
    throw std::invalid_argument(fmt::format("value too large: '{}'", text));
  }
  return value * factor;
}

}  // namespace

std::uint64_t parse_unsigned(std::string_view text, std::uint64_t min, std::uint64_t max) {
  const auto expected = fmt::format("an integer from {} to {}", min, max);
  const auto [number, rest] = split_number(text, expected);
  if (!rest.empty() || number < min || number > max) {
    throw std::invalid_argument(fmt::format("expected {}, got '{}'", expected, text));
  }
  return number;
}

std::chrono::milliseconds parse_duration(std::string_view text) {
  constexpr std::string_view kExpected = "a duration such as 500ms, 10s, 2m or 1h";
  const auto [number, unit] = split_number(text, kExpected);
  std::uint64_t factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    throw std::invalid_argument(fmt::format("expected {}, got '{}'", kExpected, text));
  }
  const auto ms = checked_multiply(number, factor, text);
  if (ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw std::invalid_argument(fmt::format("value too large: '{}'", text));
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::string format_duration(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::size_t parse_size(std::string_view text) {
  constexpr std::string_view kExpected = "a size such as 16384, 64KiB or 1MiB";
  const auto [number, unit] = split_number(text, kExpected);
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "B") {
    factor = 1;
  } else if (unit == "KiB") {
    factor = 1024;
  } else if (unit == "MiB") {
    factor = 1024 * 1024;
  } else if (unit == "GiB") {
    factor = 1024ULL * 1024 * 1024;
  } else {
    throw std::invalid_argument(fmt::format("expected {}, got '{}'", kExpected, text));
  }
  return checked_multiply(number, factor, text);
}

std::string format_size(std::size_t bytes) {
  if (bytes != 0 && bytes % (1024 * 1024) == 0) return fmt::format("{}MiB", bytes / (1024 * 1024));
  if (bytes != 0 && bytes % 1024 == 0) return fmt::format("{}KiB", bytes / 1024);
  return fmt::format("{}", bytes);
}

bool parse_bool(std::string_view text) {
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  throw std::invalid_argument(fmt::format("expected true or false, got '{}'", text));
}

}  // namespace orderly::core::config_values
