#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "core/clock.hpp"

namespace orderly::payments {

// A card as a customer submits it, already checked. Holds the CVC only
// until the request ends: it is never stored and never logged.
struct NewCard {
  std::string number;  // digits only
  int exp_month = 0;
  int exp_year = 0;
  std::string cvc;

  NewCard() = default;
  NewCard(const NewCard&) = default;
  NewCard(NewCard&&) noexcept = default;
  NewCard& operator=(const NewCard&) = default;
  NewCard& operator=(NewCard&&) noexcept = default;
  ~NewCard();  // wipes the number and the CVC
};

// Whether a card expiring at the end of `exp_month`/`exp_year` is still
// valid at `now` (a card is good through the last day of its month, UTC).
[[nodiscard]] bool card_expired(int exp_month, int exp_year, std::chrono::system_clock::time_point now);

// Checks the body of POST /api/v1/payment-methods (already parsed, see
// net::parse_json_object): {"card": {"number", "exp_month", "exp_year",
// "cvc"}}. Throws core::ProblemError 422 with one entry per bad field
// (number: digits after removing spaces and dashes, 12 to 19, Luhn; expiry:
// a month 1-12 and a four-digit year, not in the past per `clock`; cvc: 3 or
// 4 digits as a string). The messages never repeat the values. Unknown
// fields are ignored. The number and CVC strings inside `body` are
// overwritten before it returns.
[[nodiscard]] NewCard parse_new_card(boost::json::object& body, const core::Clock& clock);

}  // namespace orderly::payments
