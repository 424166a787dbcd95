#pragma once

#include "catalog/inventory.hpp"
#include "catalog/product_cache.hpp"
#include "core/clock.hpp"

namespace orderly::catalog {

// Inventory on the products table. A reservation is one conditional UPDATE
// per line (`stock = stock - q ... WHERE stock >= q`), so two buyers of the
// last unit cannot both succeed whatever the isolation level; the CHECK
// (stock >= 0) is the last line of defence and maps to OutOfStock too. Lines
// are taken in product-id order, so two orders over the same products lock
// them in the same order (no deadlock between them on PostgreSQL); results
// come back in request order. Every change bumps the product's version (its
// ETag). Thread-safe.
class StoreInventory final : public Inventory {
 public:
  StoreInventory(ProductCache& cache, const core::Clock& clock) : cache_(cache), clock_(clock) {}

  // Throws std::invalid_argument for a quantity below 1.
  boost::asio::awaitable<std::vector<ReservedLine>> reserve(store::Transaction& tx,
                                                            std::vector<StockRequest> items) override;
  // A product deleted since its reservation is skipped (logged): there is no
  // stock left to return it to.
  boost::asio::awaitable<void> release(store::Transaction& tx, std::vector<StockRequest> items) override;
  boost::asio::awaitable<void> stock_changed(std::vector<std::string> product_ids) override;

 private:
  ProductCache& cache_;
  const core::Clock& clock_;
};

}  // namespace orderly::catalog
