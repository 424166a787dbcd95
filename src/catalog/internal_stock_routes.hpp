#pragma once

#include "catalog/api/stock_reservations.hpp"
#include "net/router.hpp"

namespace orderly::catalog {

// The catalog's internal API for the orders service (what
// HttpStockReservations calls), mounted on the internal listener only:
//
//   POST /internal/v1/reservations {order_id, items: [{product_id, quantity}], ttl_ms}
//        -> 200 {order_id, lines: [{product_id, sku, name, unit_price: {amount, currency}, quantity}]}
//           409 /problems/out-of-stock {product_id}; 422 /problems/unknown-product {product_id};
//           410 /problems/reservation-gone; 422 /problems/validation
//   POST /internal/v1/reservations/{order_id}/confirm -> 204, or 410 /problems/reservation-gone
//   POST /internal/v1/reservations/{order_id}/release -> 204
//
// Each is idempotent by order id (StockReservations' contract), so a caller
// retries any of them freely. `stock` must outlive the router.
void add_internal_stock_routes(net::Router& router, StockReservations& stock);

}  // namespace orderly::catalog
