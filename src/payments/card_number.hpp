#pragma once

#include <optional>
#include <string>
#include <string_view>

// Card numbers as typed by people: normalisation, the Luhn check and the
// brand. Pure functions; none of them logs or keeps the number.
namespace orderly::payments {

enum class CardBrand { visa, mastercard, amex, discover, unknown };

// The digits of a typed number with spaces and dashes removed; nullopt when
// anything else is in it or the length is outside 12..19 digits.
[[nodiscard]] std::optional<std::string> normalize_card_number(std::string_view typed);

// The Luhn (mod 10) checksum over a string of digits.
[[nodiscard]] bool passes_luhn(std::string_view digits);

// The brand from the number's leading digits (IIN ranges).
[[nodiscard]] CardBrand card_brand(std::string_view digits);

// "visa", "mastercard", "amex", "discover", "unknown".
[[nodiscard]] std::string_view brand_name(CardBrand brand);

// The last four digits, the only part of a number ever shown.
[[nodiscard]] std::string last_four(std::string_view digits);

}  // namespace orderly::payments
