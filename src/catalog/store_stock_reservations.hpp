#pragma once

#include <cstddef>
#include <cstdint>

#include "catalog/api/stock_reservations.hpp"
#include "catalog/inventory.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

// StockReservations on the catalog's own tables: a stock_reservations row per
// order id (its state and expiry) and the lines it took, written in the same
// transaction as the stock they take or give back (through Inventory), so a
// reservation and its stock never disagree. Idempotency comes from the row:
// the first reserve of an order id inserts it, a repeat finds it and returns
// its lines; a release marks it released (or, for an id never seen, inserts it
// released, so a reserve that arrives after its own release is refused).
// Serves the in-process client (embedded mode) and the catalog's internal
// routes (scale-out). Thread-safe.
class StoreStockReservations final : public StockReservations {
 public:
  StoreStockReservations(store::Store& store, Inventory& inventory, const core::Clock& clock)
      : store_(store), inventory_(inventory), clock_(clock) {}

  // Throws std::invalid_argument for an empty order id, no items, a
  // quantity below 1 or a ttl below 1 ms.
  boost::asio::awaitable<std::vector<ReservedLine>> reserve(std::string order_id, std::vector<StockRequest> items,
                                                            std::chrono::milliseconds ttl,
                                                            core::CallContext context) override;
  boost::asio::awaitable<void> confirm(std::string order_id, core::CallContext context) override;
  boost::asio::awaitable<void> release(std::string order_id, core::CallContext context) override;

  // Releases up to `limit` unconfirmed reservations whose ttl ran out, oldest
  // first, and returns how many. Safe to run in several instances at once
  // (each release is guarded by the row's state), though one is enough.
  boost::asio::awaitable<std::size_t> expire(std::int64_t limit);

 private:
  // Marks the reservation released and gives its stock back, in one
  // transaction; with `only_expired`, only an unconfirmed one past its
  // expiry. True when this call released it.
  boost::asio::awaitable<bool> release_if(std::string order_id, bool only_expired);

  store::Store& store_;
  Inventory& inventory_;
  const core::Clock& clock_;
};

}  // namespace orderly::catalog
