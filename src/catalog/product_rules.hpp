#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orderly::catalog {

// What makes a product field valid, shared by the JSON API and the CSV
// import so both refuse the same things. Each check returns the message for
// a field error, or nothing when the value is fine. Messages never repeat the
// value (it may be large or hostile).
inline constexpr std::size_t kMaxSkuLength = 64;
inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxDescriptionLength = 5000;
inline constexpr std::int64_t kMaxPriceAmount = 1'000'000'000'000;  // minor units
inline constexpr std::int64_t kMaxStock = 1'000'000'000;

[[nodiscard]] std::optional<std::string> check_sku(std::string_view sku);
[[nodiscard]] std::optional<std::string> check_name(std::string_view name);
[[nodiscard]] std::optional<std::string> check_description(std::string_view description);
[[nodiscard]] std::optional<std::string> check_price_amount(std::int64_t amount);
[[nodiscard]] std::optional<std::string> check_currency(std::string_view currency);
[[nodiscard]] std::optional<std::string> check_stock(std::int64_t stock);

// Whether `text` is well-formed UTF-8 (CSV bytes arrive unchecked; JSON
// bodies are checked by the parser).
[[nodiscard]] bool is_utf8(std::string_view text);

}  // namespace orderly::catalog
