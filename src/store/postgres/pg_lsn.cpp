#include "store/postgres/pg_lsn.hpp"

#include <charconv>

#include <fmt/format.h>

namespace orderly::store::postgres {
namespace {

std::optional<std::uint32_t> parse_half(std::string_view text) {
  std::uint32_t value = 0;
  if (text.empty() || text.size() > 8) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> parse_lsn(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto high = parse_half(text.substr(0, slash));
  const auto low = parse_half(text.substr(slash + 1));
  if (!high || !low) return std::nullopt;
  return (std::uint64_t{*high} << 32) | *low;
}

std::string format_lsn(std::uint64_t position) {
  return fmt::format("{:X}/{:X}", position >> 32, position & 0xFFFFFFFFU);
}

}  // namespace orderly::store::postgres
