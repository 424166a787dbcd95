#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Parsers and printers for configuration values. Each parser throws
// std::invalid_argument with a message that says what was expected.
namespace orderly::core::config_values {

// A non-negative integer in [min, max].
[[nodiscard]] std::uint64_t parse_unsigned(std::string_view text, std::uint64_t min, std::uint64_t max);

// "250ms", "10s", "2m", "1h"; the unit is required, so "10" is refused rather than guessed.
[[nodiscard]] std::chrono::milliseconds parse_duration(std::string_view text);
[[nodiscard]] std::string format_duration(std::chrono::milliseconds value);

// A byte count: "1048576", "64KiB", "1MiB".
[[nodiscard]] std::size_t parse_size(std::string_view text);
[[nodiscard]] std::string format_size(std::size_t bytes);

// true/false, yes/no, on/off, 1/0.
[[nodiscard]] bool parse_bool(std::string_view text);

}  // namespace orderly::core::config_values
