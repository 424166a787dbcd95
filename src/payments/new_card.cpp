#include "payments/new_card.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include <boost/json/value.hpp>

#include "core/problem.hpp"
#include "payments/card_number.hpp"

namespace orderly::payments {
namespace {

namespace json = boost::json;
using FieldErrors = std::vector<core::Problem::FieldError>;

// A card expiring further ahead than this is a typo, not a card.
constexpr int kLongestValidityYears = 20;

void wipe(std::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
}

// A small non-negative integer, or -1 for anything else (a string, a
// fraction, a negative or huge number).
int small_integer(const json::value* value) {
  constexpr std::int64_t kLargest = 10'000;
  if (value == nullptr) return -1;
  if (value->is_int64() && value->as_int64() >= 0 && value->as_int64() <= kLargest) {
    return static_cast<int>(value->as_int64());
  }
  if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(kLargest)) {
    return static_cast<int>(value->as_uint64());
  }
  return -1;
}

bool all_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string check_number(const json::object& card, FieldErrors& errors) {
  const auto* value = card.if_contains("number");
  if (value == nullptr || !value->is_string()) {
    errors.push_back({"card.number", "is required, as a string of digits"});
    return {};
  }
  auto digits = normalize_card_number(value->as_string());
  if (!digits) {
    errors.push_back({"card.number", "must be 12 to 19 digits (spaces and dashes are allowed)"});
    return {};
  }
  if (!passes_luhn(*digits)) {
    wipe(*digits);
    errors.push_back({"card.number", "is not a valid card number (checksum)"});
    return {};
  }
  return std::move(*digits);
}

void check_expiry(const json::object& card, const core::Clock& clock, NewCard& out, FieldErrors& errors) {
  const int month = small_integer(card.if_contains("exp_month"));
  const int year = small_integer(card.if_contains("exp_year"));
  bool shaped = true;
  if (month < 1 || month > 12) {
    errors.push_back({"card.exp_month", "must be a month number from 1 to 12"});
    shaped = false;
  }
  if (year < 1000 || year > 9999) {
    errors.push_back({"card.exp_year", "must be a four-digit year"});
    shaped = false;
  }
  if (!shaped) return;
  const auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(clock.now()));
  if (card_expired(month, year, clock.now())) {
    errors.push_back({"card.exp_year", "the card has expired"});
    return;
  }
  if (year > static_cast<int>(today.year()) + kLongestValidityYears) {
    errors.push_back({"card.exp_year", "is too far in the future"});
    return;
  }
  out.exp_month = month;
  out.exp_year = year;
}

std::string check_cvc(const json::object& card, FieldErrors& errors) {
  const auto* value = card.if_contains("cvc");
  if (value == nullptr || !value->is_string()) {
    errors.push_back({"card.cvc", "is required, as a string of 3 or 4 digits"});
    return {};
  }
  const auto& text = value->as_string();
  if (text.size() < 3 || text.size() > 4 || !all_digits(text)) {
    errors.push_back({"card.cvc", "must be 3 or 4 digits"});
    return {};
  }
  return std::string(text);
}

// Overwrites the number and the CVC inside the parsed document before it is freed.
void wipe_card_fields(json::object& card) {
  for (const auto* name : {"number", "cvc"}) {
    if (auto* value = card.if_contains(name); value != nullptr && value->is_string()) {
      auto& text = value->as_string();
      if (!text.empty()) sodium_memzero(text.data(), text.size());
    }
  }
}

[[noreturn]] void throw_invalid(FieldErrors errors) {
  throw core::ProblemError({422, "/problems/validation", "Invalid card", "see errors", std::move(errors)});
}

}  // namespace

NewCard::~NewCard() {
  wipe(number);
  wipe(cvc);
}

bool card_expired(int exp_month, int exp_year, std::chrono::system_clock::time_point now) {
  const auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now));
  const int year = static_cast<int>(today.year());
  const int month = static_cast<int>(static_cast<unsigned>(today.month()));
  return exp_year < year || (exp_year == year && exp_month < month);
}

NewCard parse_new_card(json::object& body, const core::Clock& clock) {
  auto* card_value = body.if_contains("card");
  if (card_value == nullptr || !card_value->is_object()) {
    throw_invalid({{"card", "is required, as an object with number, exp_month, exp_year and cvc"}});
  }
  auto& card = card_value->as_object();
  FieldErrors errors;
  NewCard out;
  out.number = check_number(card, errors);
  check_expiry(card, clock, out, errors);
  out.cvc = check_cvc(card, errors);
  wipe_card_fields(card);
  if (!errors.empty()) throw_invalid(std::move(errors));
  return out;
}

}  // namespace orderly::payments
