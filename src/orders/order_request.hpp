#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/api/stock_reservations.hpp"
#include "net/http_message.hpp"

namespace orderly::orders {

// The API's limits on one order (API.md: 422 bad items). Part of the
// contract, not tunables.
inline constexpr std::size_t kMaxOrderLines = 50;
inline constexpr std::int64_t kMaxLineQuantity = 1000;

// A validated POST /api/v1/orders body.
struct CreateOrderRequest {
  // One line per product, in first-seen order: repeated products are merged
  // (their quantities added, still at most kMaxLineQuantity).
  std::vector<catalog::StockRequest> items;
  std::string payment_method_id;
  std::string shipping_address;  // canonical JSON: {name, line1, line2?, city, postal_code, country}
};

// Parses and validates the body. Throws core::ProblemError: 400 when it is
// not a JSON object, 422 with one {field, message} per problem otherwise.
// Unknown fields are ignored.
[[nodiscard]] CreateOrderRequest parse_create_order(const net::Request& request);

}  // namespace orderly::orders
