#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "cache/cache.hpp"
#include "cache/single_flight.hpp"
#include "catalog/product_repository.hpp"

namespace orderly::catalog {

// A product as GET /api/v1/products/{id} answers it: the JSON body and the
// version its ETag is made of.
struct ProductView {
  std::int64_t version = 0;
  std::string json;
};

// Product reads through the cache (cache-aside, cache/cache_aside.hpp): a hit
// costs no database round trip and no JSON serialisation; a miss loads the
// row from the primary once however many requests miss together. Every write
// (PATCH, DELETE, an import, a reservation or release through Inventory)
// calls invalidate() after its commit; `ttl` bounds how long a copy can
// outlive a write whose invalidation was lost (a crash in between, or a load
// that raced the write). Unknown products are not cached. Thread-safe.
class ProductCache {
 public:
  ProductCache(cache::Cache& cache, ProductRepository& products, std::chrono::milliseconds ttl)
      : cache_(cache), products_(products), ttl_(ttl) {}

  boost::asio::awaitable<std::optional<ProductView>> get(std::string id);
  boost::asio::awaitable<void> invalidate(std::string id);

  [[nodiscard]] static std::string key(const std::string& id) { return "catalog:product:" + id; }

 private:
  cache::Cache& cache_;
  ProductRepository& products_;
  std::chrono::milliseconds ttl_;
  cache::SingleFlight flights_;
};

}  // namespace orderly::catalog
