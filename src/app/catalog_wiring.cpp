#include "app/catalog_wiring.hpp"

#include "cache/local_cache.hpp"
#include "cache/redis_cache.hpp"
#include "catalog/bulk_worker.hpp"
#include "catalog/cache_invalidation_worker.hpp"
#include "catalog/catalog_routes.hpp"
#include "catalog/import_handlers.hpp"
#include "catalog/import_jobs.hpp"
#include "catalog/internal_stock_routes.hpp"
#include "catalog/product_cache.hpp"
#include "catalog/product_handlers.hpp"
#include "catalog/product_importer.hpp"
#include "catalog/product_repository.hpp"
#include "catalog/sample_products.hpp"
#include "catalog/store_inventory.hpp"
#include "catalog/store_stock_reservations.hpp"
#include "core/logging.hpp"
#include "core/run_sync.hpp"
#include "lock/leased_job.hpp"

namespace orderly::app {

struct CatalogModule::Parts {
  Parts(const core::CatalogConfig& settings, store::Store& the_store, cache::Cache& cache, queue::Broker& broker,
        queue::EventOutbox& outbox, lock::DistributedLock& lock, const core::Clock& the_clock, core::Random& random,
        core::metrics::Registry& metrics, bool shared_cache)
      : config(settings),
        store(the_store),
        clock(the_clock),
        products(the_store, the_clock, random),
        product_cache(cache, products, settings.cache_ttl, shared_cache ? &outbox : nullptr),
        cache_invalidation(broker, product_cache, settings.worker_poll_interval),
        jobs(the_store, the_clock),
        inventory(product_cache, the_clock),
        stock(the_store, inventory, the_clock),
        reservation_expiry("catalog.reservation_expiry", lock, metrics, expiry_lease(settings),
                           [this](const lock::Lease&) -> boost::asio::awaitable<void> {
                             co_await expire_reservations();
                           }),
        importer(the_store, products, product_cache, jobs, the_clock,
                 catalog::ImportOptions{settings.import_batch_size, settings.import_max_errors}),
        bulk_worker(broker, importer, catalog::BulkWorkerOptions{.poll_interval = settings.worker_poll_interval}),
        product_handlers(products, product_cache),
        import_handlers(the_store, jobs, outbox, random) {}

  // The sweep's lease outlives a few sweeps, so a holder keeps it between
  // them, and a dead holder is replaced after three intervals at most.
  static lock::LeasedJobOptions expiry_lease(const core::CatalogConfig& settings) {
    return {settings.reservation_sweep_interval, 3 * settings.reservation_sweep_interval};
  }

  // Releases every reservation past its expiry, a batch at a time.
  boost::asio::awaitable<void> expire_reservations() {
    constexpr std::int64_t kBatch = 100;
    std::size_t total = 0;
    for (int round = 0; round < 1000; ++round) {  // bounded: 100k per sweep, the rest next time
      const auto expired = co_await stock.expire(kBatch);
      total += expired;
      if (expired < static_cast<std::size_t>(kBatch)) break;
    }
    if (total > 0) core::log::info("catalog.reservations_expired", {{"count", total}});
  }

  core::CatalogConfig config;
  store::Store& store;
  const core::Clock& clock;
  catalog::ProductRepository products;
  catalog::ProductCache product_cache;
  catalog::CacheInvalidationWorker cache_invalidation;
  catalog::ImportJobs jobs;
  catalog::StoreInventory inventory;
  catalog::StoreStockReservations stock;
  lock::LeasedJob reservation_expiry;
  catalog::ProductImporter importer;
  catalog::BulkWorker bulk_worker;
  catalog::ProductHandlers product_handlers;
  catalog::ImportHandlers import_handlers;
};

CatalogModule::CatalogModule(const core::CatalogConfig& config, store::Store& store, cache::Cache& cache,
                             queue::Broker& broker, queue::EventOutbox& outbox, lock::DistributedLock& lock,
                             const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics,
                             bool shared_cache)
    : parts_(std::make_unique<Parts>(config, store, cache, broker, outbox, lock, clock, random, metrics,
                                     shared_cache)) {}

CatalogModule::~CatalogModule() = default;

void CatalogModule::add_routes(net::Router& router) {
  catalog::add_catalog_routes(
      router, parts_->product_handlers, parts_->import_handlers,
      catalog::CatalogRouteOptions{.import_body_limit = parts_->config.import_body_limit_bytes});
}

catalog::StockReservations& CatalogModule::stock() {
  return parts_->stock;
}

BackgroundWorkers::Worker CatalogModule::reservation_expiry() {
  auto& job = parts_->reservation_expiry;
  return {"catalog.reservation_expiry", [&job] { return job.run(); }, [&job] { job.request_stop(); }};
}

BackgroundWorkers::Worker CatalogModule::cache_invalidation() {
  auto& worker = parts_->cache_invalidation;
  return {"catalog.cache_invalidation", [&worker] { return worker.run(); }, [&worker] { worker.stop(); }};
}

BackgroundWorkers::Worker CatalogModule::bulk_worker() {
  auto& worker = parts_->bulk_worker;
  return {"catalog.bulk", [&worker] { return worker.run(); }, [&worker] { worker.stop(); }};
}

void CatalogModule::seed_if_enabled() {
  if (!parts_->config.seed_sample_products) return;
  try {
    (void)core::run_sync(catalog::seed_sample_products(parts_->store, parts_->products, parts_->clock));
  } catch (const store::StoreError& error) {
    // Not fatal: the shop works without samples, and the next start tries again.
    core::log::warn("catalog.seed_failed", {{"error", error.what()}});
  }
}

namespace {

std::unique_ptr<cache::Cache> product_cache(const core::Config& config, const core::Clock& clock,
                                            core::metrics::Registry& metrics, SharedRedis* shared_redis) {
  if (shared_redis != nullptr) return std::make_unique<cache::RedisCache>(shared_redis->options(), clock, metrics, "catalog");
  return std::make_unique<cache::LocalCache>(cache::LocalCacheOptions{.max_bytes = config.catalog.cache_bytes}, clock,
                                             metrics, "catalog");
}

}  // namespace

CatalogComponent::CatalogComponent(const core::Config& config, store::Store& store, queue::Broker& broker,
                                   std::shared_ptr<queue::EventOutbox> outbox, lock::DistributedLock& lock,
                                   const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics,
                                   SharedRedis* shared_redis, CatalogRole role)
    : role_(role),
      cache_(product_cache(config, clock, metrics, shared_redis)),
      outbox_(std::move(outbox)),
      shared_cache_(shared_redis != nullptr),
      module_(config.catalog, store, *cache_, broker, *outbox_, lock, clock, random, metrics, shared_cache_) {}

CatalogComponent::~CatalogComponent() = default;

void CatalogComponent::add_routes(Routes& routes) {
  if (!role_.service) return;
  module_.add_routes(routes.public_api);
  catalog::add_internal_stock_routes(routes.internal, module_.stock());
}

void CatalogComponent::add_workers(BackgroundWorkers& workers) {
  if (role_.service) workers.add(module_.reservation_expiry());
  if (role_.service && shared_cache_) workers.add(module_.cache_invalidation());
  if (role_.bulk_worker) workers.add(module_.bulk_worker());
}

void CatalogComponent::start(net::HttpServer& /*server*/) {
  if (role_.service) module_.seed_if_enabled();
}

}  // namespace orderly::app
