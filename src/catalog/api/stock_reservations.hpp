#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/call_context.hpp"
#include "core/money.hpp"

namespace orderly::catalog {

struct StockRequest {
  std::string product_id;
  std::int64_t quantity = 0;  // > 0
};

// A line of an order as it was priced when its stock was reserved.
struct ReservedLine {
  std::string product_id;
  std::string sku;
  std::string name;
  core::Money unit_price;
  std::int64_t quantity = 0;
};

class OutOfStock : public std::runtime_error {
 public:
  explicit OutOfStock(std::string id) : std::runtime_error("out of stock: " + id), product_id(std::move(id)) {}
  std::string product_id;
};

class UnknownProduct : public std::runtime_error {
 public:
  explicit UnknownProduct(std::string id) : std::runtime_error("unknown product: " + id), product_id(std::move(id)) {}
  std::string product_id;
};

// The reservation of `order_id` is gone: it expired (and put its stock back)
// or was released before it could be confirmed.
class ReservationGone : public std::runtime_error {
 public:
  explicit ReservationGone(const std::string& order_id) : std::runtime_error("reservation gone: " + order_id) {}
};

// What the catalog offers the orders service: stock held for an order, by
// order id. Every call is idempotent by order id, so a caller that lost an
// answer calls again with the same id and gets the first outcome:
//
//   reserve ──> reserved ──confirm──> confirmed
//                  │ release / ttl           │ release (a refund restocks)
//                  v                         v
//               released  <──────────────────┘
//
// Stock never goes below zero, whatever the number of catalog instances (the
// database refuses it). A reservation not confirmed within its `ttl` expires
// and puts its stock back by itself, so an order that was never created (a
// crash between reserve and the order's commit) holds nothing for long.
// Throws core::ServiceUnavailable when the catalog cannot answer (remote
// client). Thread-safe.
class StockReservations {
 public:
  virtual ~StockReservations() = default;

  // Takes the quantities from stock and returns the priced lines, in request
  // order. Throws OutOfStock or UnknownProduct, and then nothing is reserved.
  // Repeated with the same order id: the lines of the first reservation (its
  // quantities are not taken twice), or ReservationGone once it was released.
  virtual boost::asio::awaitable<std::vector<ReservedLine>> reserve(std::string order_id,
                                                                    std::vector<StockRequest> items,
                                                                    std::chrono::milliseconds ttl,
                                                                    core::CallContext context) = 0;

  // Makes the reservation permanent (the order is paid): it no longer
  // expires. Throws ReservationGone when it expired or was released first.
  virtual boost::asio::awaitable<void> confirm(std::string order_id, core::CallContext context) = 0;

  // Puts a reserved or confirmed reservation's stock back (cancel, decline,
  // refund). Releasing a released or unknown reservation does nothing.
  virtual boost::asio::awaitable<void> release(std::string order_id, core::CallContext context) = 0;
};

}  // namespace orderly::catalog
