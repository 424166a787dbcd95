#pragma once

#include <boost/asio/awaitable.hpp>

#include "catalog/product_repository.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

// Adds a dozen sample products, so a fresh `orderly serve` shows a catalog at
// once. Runs once per database: the first run records itself in
// catalog_seed in the same transaction, so deleting every product later does
// not bring the samples back, and two processes starting together seed once.
// A sample whose sku exists already is left alone. Returns whether this call
// seeded.
boost::asio::awaitable<bool> seed_sample_products(store::Store& store, ProductRepository& products,
                                                  const core::Clock& clock);

}  // namespace orderly::catalog
