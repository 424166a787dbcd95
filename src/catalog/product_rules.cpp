#include "catalog/product_rules.hpp"

#include <algorithm>

#include <boost/locale/utf.hpp>

namespace orderly::catalog {
namespace {

bool is_sku_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// Length in characters, for limits a person reads ("200 characters").
std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::optional<std::string> check_sku(std::string_view sku) {
  if (sku.empty() || sku.size() > kMaxSkuLength || !std::all_of(sku.begin(), sku.end(), is_sku_character)) {
    return "must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_' and '.'";
  }
  return std::nullopt;
}

std::optional<std::string> check_name(std::string_view name) {
  if (is_blank(name)) return "must not be empty";
  if (name.find('\0') != std::string_view::npos) return "must not contain NUL characters";
  if (utf8_length(name) > kMaxNameLength) return "must be at most 200 characters";
  return std::nullopt;
}

std::optional<std::string> check_description(std::string_view description) {
  // PostgreSQL text cannot hold NUL; refuse it on both stores alike.
  if (description.find('\0') != std::string_view::npos) return "must not contain NUL characters";
  if (utf8_length(description) > kMaxDescriptionLength) return "must be at most 5000 characters";
  return std::nullopt;
}

std::optional<std::string> check_price_amount(std::int64_t amount) {
  if (amount < 0 || amount > kMaxPriceAmount) return "must be an integer number of minor units from 0 to 10^12";
  return std::nullopt;
}

std::optional<std::string> check_currency(std::string_view currency) {
  if (currency.size() != 3 ||
      !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return "must be an ISO 4217 code: three capital letters";
  }
  return std::nullopt;
}

std::optional<std::string> check_stock(std::int64_t stock) {
  if (stock < 0 || stock > kMaxStock) return "must be an integer from 0 to 10^9";
  return std::nullopt;
}

bool is_utf8(std::string_view text) {
  using traits = boost::locale::utf::utf_traits<char>;
  auto position = text.begin();
  while (position != text.end()) {  // each decode consumes at least one byte
    const auto code_point = traits::decode(position, text.end());
    if (code_point == boost::locale::utf::illegal || code_point == boost::locale::utf::incomplete) return false;
  }
  return true;
}

}  // namespace orderly::catalog
