#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/api/stock_reservations.hpp"
#include "core/money.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

// Stock, changed only inside the caller's transaction, so an order and its
// reservation commit together or not at all. The database itself refuses a
// negative stock (a CHECK constraint), so two racing reservations can never
// both take the last unit. Thread-safe.
class Inventory {
 public:
  virtual ~Inventory() = default;

  // Takes the quantities from stock and returns the priced lines, in request
  // order. Throws OutOfStock or UnknownProduct (the caller's transaction then
  // rolls back, so nothing stays reserved).
  virtual boost::asio::awaitable<std::vector<ReservedLine>> reserve(store::Transaction& tx,
                                                                    std::vector<StockRequest> items) = 0;

  // Puts the quantities back (cancel, failed payment, expired reservation).
  virtual boost::asio::awaitable<void> release(store::Transaction& tx, std::vector<StockRequest> items) = 0;

  // Call after the transaction that reserved or released committed: drops
  // the cached copies of these products so readers see the new stock.
  virtual boost::asio::awaitable<void> stock_changed(std::vector<std::string> product_ids) = 0;
};

}  // namespace orderly::catalog
