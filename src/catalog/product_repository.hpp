#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/catalog_errors.hpp"
#include "catalog/product.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

struct PageRequest {
  std::optional<std::string> q;  // full-text search over name and description (search_terms.hpp)
  std::int64_t after_seq = 0;    // from the cursor; 0: the first page
  std::size_t limit = 20;        // 1..100, checked by the caller
};

struct ProductPage {
  std::vector<Product> items;
  std::optional<std::int64_t> next_after_seq;  // set when another page follows
};

// The versions a conditional write accepts (from If-Match); nullopt: any.
using AcceptedVersions = std::optional<std::vector<std::int64_t>>;

// What an import did with one line's sku.
struct UpsertResult {
  std::string id;
  bool created = false;
};

// Products in the store: every SQL statement of the catalog's product table
// (the inventory's are in store_inventory.cpp). Pages are in creation order
// (`seq`), search results too, so a cursor walk neither repeats nor skips.
// Thread-safe (it holds no state of its own).
class ProductRepository {
 public:
  // More work for a write's own transaction (the cache's changed(), which
  // records the change as an event that commits with it).
  using AlsoInTransaction = std::function<boost::asio::awaitable<void>(store::Transaction&)>;

  ProductRepository(store::Store& store, const core::Clock& clock, core::Random& random)
      : store_(store), clock_(clock), random_(random) {}

  // From the primary by default: the cache loads through this, and a replica
  // behind a write just invalidated would put the old row back in the cache.
  boost::asio::awaitable<std::optional<Product>> find(std::string id,
                                                      store::ReadOptions options = {.allow_replica = false});
  boost::asio::awaitable<ProductPage> page(PageRequest request);

  // Throws SkuTaken.
  boost::asio::awaitable<Product> create(ProductDraft draft);
  // Applies the fields present in `patch` and bumps the version. Throws
  // ProductNotFound, VersionMismatch (the current version is not one of
  // `accepted`) or SkuTaken. `commit`, when given, receives the write's commit
  // position: a later find with ReadOptions::at_least(it) sees the update even
  // on a replica (read-your-writes). `also` runs in the same transaction.
  boost::asio::awaitable<Product> update(std::string id, ProductPatch patch, AcceptedVersions accepted = {},
                                         store::CommitToken* commit = nullptr, AlsoInTransaction also = {});
  // Throws ProductNotFound or VersionMismatch. `also` runs in the same transaction.
  boost::asio::awaitable<void> remove(std::string id, AcceptedVersions accepted = {}, AlsoInTransaction also = {});

  // Inside the caller's transaction: creates a product for a new sku, or
  // overwrites the product that has it (name, description, price, stock) and
  // bumps its version. For the CSV import.
  boost::asio::awaitable<UpsertResult> upsert(store::Transaction& tx, ProductDraft draft);

  // A new product id: 24 lowercase hex digits.
  [[nodiscard]] std::string new_id();

 private:
  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
};

// Whether `id` could be a product (or job) id at all: 1 to 64 characters of
// [a-z0-9]. Anything else is a 404 without a database round trip (and never
// reaches SQL as text the database might refuse, such as invalid UTF-8).
[[nodiscard]] bool is_plausible_id(std::string_view id);

}  // namespace orderly::catalog
