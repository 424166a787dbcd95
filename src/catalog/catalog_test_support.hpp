#pragma once

// Test-only: a store with the platform's and the catalog's tables, on SQLite
// (a temporary file) or PostgreSQL (a schema of its own on the test server),
// and the catalog's parts on top of it, for the suites beside this file.

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cache/local_cache.hpp"
#include "catalog/import_jobs.hpp"
#include "catalog/product_cache.hpp"
#include "catalog/product_importer.hpp"
#include "catalog/product_repository.hpp"
#include "catalog/schema.hpp"
#include "catalog/store_inventory.hpp"
#include "core/manual_clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/run_sync.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::catalog::testing {

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<store::Store>(const std::string& folder, core::metrics::Registry&)> make;
};

inline void PrintTo(const StoreKind& kind, std::ostream* out) {
  *out << kind.name;
}

inline std::vector<StoreKind> store_kinds() {
  return {{"sqlite",
           [](const std::string& folder, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
             return std::make_unique<store::sqlite::SqliteStore>(
                 store::sqlite::SqliteOptions{.path = folder + "/orderly.db"}, metrics);
           }},
          {"postgres", [](const std::string&, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
             store::postgres::PgOptions options;
             options.connections.pool_size = 8;  // room for the racing reservations
             return std::make_unique<store::postgres::testing::SchemaStore>(
                 metrics, store::postgres::testing::SchemaStore::Replicas::none, std::move(options));
           }}};
}

inline std::vector<store::Migration> catalog_test_migrations() {
  std::vector<store::Migration> all;
  for (const auto& migration : store::orderly_migrations()) all.push_back(migration);
  for (const auto& migration : catalog_migrations()) all.push_back(migration);
  return all;
}

// The catalog's parts over one store, as app/catalog_wiring.cpp assembles them.
struct CatalogParts {
  CatalogParts(const StoreKind& kind, ImportOptions import_options = {}) {
    char folder_template[] = "/tmp/orderly-catalog-XXXXXX";
    if (mkdtemp(folder_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    folder = folder_template;
    store = kind.make(folder, metrics);
    const auto migrations = catalog_test_migrations();
    (void)core::run_sync(store::migrate(*store, migrations));
    products = std::make_unique<ProductRepository>(*store, clock, random);
    local_cache = std::make_unique<cache::LocalCache>(cache::LocalCacheOptions{}, clock, metrics, "catalog");
    product_cache = std::make_unique<ProductCache>(*local_cache, *products, std::chrono::minutes(1));
    inventory = std::make_unique<StoreInventory>(*product_cache, clock);
    jobs = std::make_unique<ImportJobs>(*store, clock);
    importer = std::make_unique<ProductImporter>(*store, *products, *product_cache, *jobs, clock, import_options);
  }
  ~CatalogParts() {
    importer.reset();
    jobs.reset();
    inventory.reset();
    product_cache.reset();
    local_cache.reset();
    products.reset();
    store.reset();
    std::filesystem::remove_all(folder);
  }

  Product create(std::string sku, std::int64_t stock, std::string name = "Thing", std::string description = "",
                 std::int64_t price = 1000) {
    return core::run_sync(products->create(
        ProductDraft{std::move(sku), std::move(name), std::move(description), core::Money{price, "USD"}, stock}));
  }
  std::optional<Product> find(const std::string& id) { return core::run_sync(products->find(id)); }

  std::string folder;
  core::ManualClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ProductRepository> products;
  std::unique_ptr<cache::LocalCache> local_cache;
  std::unique_ptr<ProductCache> product_cache;
  std::unique_ptr<StoreInventory> inventory;
  std::unique_ptr<ImportJobs> jobs;
  std::unique_ptr<ProductImporter> importer;
};

}  // namespace orderly::catalog::testing
