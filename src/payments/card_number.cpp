#include "payments/card_number.hpp"

#include <charconv>

namespace orderly::payments {
namespace {

constexpr std::size_t kShortestNumber = 12;
constexpr std::size_t kLongestNumber = 19;

// The number formed by the first `count` digits (the number must have them).
int prefix(std::string_view digits, std::size_t count) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + count, value);
  return value;
}

bool in_range(std::string_view digits, std::size_t count, int low, int high) {
  if (digits.size() < count) return false;
  const int value = prefix(digits, count);
  return value >= low && value <= high;
}

}  // namespace

std::optional<std::string> normalize_card_number(std::string_view typed) {
  std::string digits;
  digits.reserve(typed.size());
  for (const char c : typed) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits += c;
  }
  if (digits.size() < kShortestNumber || digits.size() > kLongestNumber) return std::nullopt;
  return digits;
}

bool passes_luhn(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it < '0' || *it > '9') return false;
    int digit = *it - '0';
    if (double_it) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

CardBrand card_brand(std::string_view digits) {
  if (digits.starts_with("4")) return CardBrand::visa;
  if (in_range(digits, 2, 51, 55) || in_range(digits, 4, 2221, 2720)) return CardBrand::mastercard;
  if (digits.starts_with("34") || digits.starts_with("37")) return CardBrand::amex;
  if (digits.starts_with("6011") || digits.starts_with("65") || in_range(digits, 3, 644, 649) ||
      in_range(digits, 6, 622126, 622925)) {
    return CardBrand::discover;
  }
  return CardBrand::unknown;
}

std::string_view brand_name(CardBrand brand) {
  switch (brand) {
    case CardBrand::visa:
      return "visa";
    case CardBrand::mastercard:
      return "mastercard";
    case CardBrand::amex:
      return "amex";
    case CardBrand::discover:
      return "discover";
    case CardBrand::unknown:
      break;
  }
  return "unknown";
}

std::string last_four(std::string_view digits) {
  return std::string(digits.size() <= 4 ? digits : digits.substr(digits.size() - 4));
}

}  // namespace orderly::payments
