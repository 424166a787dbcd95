#pragma once

#include <string_view>

namespace orderly::catalog::wire {

// The problem types of the catalog's internal reservation API: the contract
// between internal_stock_routes.cpp and HttpStockReservations.
inline constexpr std::string_view kOutOfStock = "/problems/out-of-stock";
inline constexpr std::string_view kUnknownProduct = "/problems/unknown-product";
inline constexpr std::string_view kReservationGone = "/problems/reservation-gone";
inline constexpr std::string_view kReservations = "/internal/v1/reservations";

}  // namespace orderly::catalog::wire
