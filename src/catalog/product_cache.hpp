#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cache/cache.hpp"
#include "cache/single_flight.hpp"
#include "catalog/product_repository.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

// A product as GET /api/v1/products/{id} answers it: the JSON body and the
// version its ETag is made of.
struct ProductView {
  std::int64_t version = 0;
  std::string json;
};

// The queue of the durable product-cache invalidations (scale-out), and
// their message: {"product_ids": [...]}.
inline constexpr std::string_view kCacheQueue = "catalog-cache";
inline constexpr std::string_view kProductsChangedType = "catalog.products_changed";

// Product reads through the cache (cache-aside, cache/cache_aside.hpp): a hit
// costs no database round trip and no JSON serialisation; a miss loads the
// row from the primary once however many requests miss together. Every write
// (PATCH, DELETE, an import, a reservation or release through Inventory)
// calls changed() inside its transaction and invalidate() after its commit.
//
// With `durable` (scale-out, where the cache is Redis and outlives any one
// process), changed() also writes a products-changed event to the catalog's
// outbox in that transaction; the CacheInvalidationWorker of some catalog
// instance deletes the keys again once it is relayed. So a crash between the
// commit and the delete, or a load that raced the write and put the old row
// back, leaves a stale copy for one relay round, not for `ttl`. Embedded
// mode needs no event: its cache lives in the process and dies with it.
// `ttl` still bounds a copy whose every invalidation was lost. Unknown
// products are not cached. Thread-safe.
class ProductCache {
 public:
  ProductCache(cache::Cache& cache, ProductRepository& products, std::chrono::milliseconds ttl,
               queue::EventOutbox* durable = nullptr)
      : cache_(cache), products_(products), ttl_(ttl), durable_(durable) {}

  boost::asio::awaitable<std::optional<ProductView>> get(std::string id);
  // Inside the transaction that changes these products (see the class comment).
  boost::asio::awaitable<void> changed(store::Transaction& tx, std::vector<std::string> product_ids);
  boost::asio::awaitable<void> invalidate(std::string id);

  [[nodiscard]] static std::string key(const std::string& id) { return "catalog:product:" + id; }

 private:
  cache::Cache& cache_;
  ProductRepository& products_;
  std::chrono::milliseconds ttl_;
  queue::EventOutbox* durable_;
  cache::SingleFlight flights_;
};

}  // namespace orderly::catalog
