#pragma once

#include <cstdint>
#include <string>

namespace orderly::core {

// An amount in minor units (cents) of an ISO 4217 currency: {"amount": 1999, "currency": "USD"}.
struct Money {
  std::int64_t amount = 0;
  std::string currency;
  friend bool operator==(const Money&, const Money&) = default;
};

}  // namespace orderly::core
