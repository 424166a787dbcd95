#include "app/catalog_wiring.hpp"

#include "cache/local_cache.hpp"
#include "catalog/bulk_worker.hpp"
#include "catalog/catalog_routes.hpp"
#include "catalog/import_handlers.hpp"
#include "catalog/import_jobs.hpp"
#include "catalog/product_cache.hpp"
#include "catalog/product_handlers.hpp"
#include "catalog/product_importer.hpp"
#include "catalog/product_repository.hpp"
#include "catalog/sample_products.hpp"
#include "catalog/store_inventory.hpp"
#include "catalog/store_stock_reservations.hpp"
#include "core/logging.hpp"
#include "core/run_sync.hpp"
#include "lock/periodic_job.hpp"
#include "queue/embedded/embedded_broker.hpp"

namespace orderly::app {

struct CatalogModule::Parts {
  Parts(const core::CatalogConfig& settings, store::Store& the_store, cache::Cache& cache, queue::Broker& broker,
        queue::EventOutbox& outbox, const core::Clock& the_clock, core::Random& random)
      : config(settings),
        store(the_store),
        clock(the_clock),
        products(the_store, the_clock, random),
        product_cache(cache, products, settings.cache_ttl),
        jobs(the_store, the_clock),
        inventory(product_cache, the_clock),
        stock(the_store, inventory, the_clock),
        reservation_expiry("catalog.reservation_expiry", settings.reservation_sweep_interval,
                           [this]() -> boost::asio::awaitable<void> { co_await expire_reservations(); }),
        importer(the_store, products, product_cache, jobs, the_clock,
                 catalog::ImportOptions{settings.import_batch_size, settings.import_max_errors}),
        bulk_worker(broker, importer, catalog::BulkWorkerOptions{.poll_interval = settings.worker_poll_interval}),
        product_handlers(products, product_cache),
        import_handlers(the_store, jobs, outbox, random) {}

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
  catalog::ImportJobs jobs;
  catalog::StoreInventory inventory;
  catalog::StoreStockReservations stock;
  lock::PeriodicJob reservation_expiry;
  catalog::ProductImporter importer;
  catalog::BulkWorker bulk_worker;
  catalog::ProductHandlers product_handlers;
  catalog::ImportHandlers import_handlers;
};

CatalogModule::CatalogModule(const core::CatalogConfig& config, store::Store& store, cache::Cache& cache,
                             queue::Broker& broker, queue::EventOutbox& outbox, const core::Clock& clock,
                             core::Random& random)
    : parts_(std::make_unique<Parts>(config, store, cache, broker, outbox, clock, random)) {}

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

// Embedded mode's parts around the module, declared in construction order.
class EmbeddedCatalog final : public CatalogWiring {
 public:
  EmbeddedCatalog(const core::Config& config, store::Store& store, queue::EmbeddedBroker& broker,
                  const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics)
      : cache_(cache::LocalCacheOptions{.max_bytes = config.catalog.cache_bytes}, clock, metrics, "catalog"),
        outbox_(broker),
        module_(config.catalog, store, cache_, broker, outbox_, clock, random) {}

  catalog::StockReservations& stock() override { return module_.stock(); }
  CatalogModule& module() { return module_; }

 private:
  cache::LocalCache cache_;
  queue::EmbeddedEventOutbox outbox_;
  CatalogModule module_;
};

}  // namespace

std::shared_ptr<CatalogWiring> wire_catalog(net::Router& router, BackgroundWorkers& workers, const core::Config& config,
                                            store::Store& store, queue::EmbeddedBroker& broker,
                                            const core::Clock& clock, core::Random& random,
                                            core::metrics::Registry& metrics) {
  auto catalog = std::make_shared<EmbeddedCatalog>(config, store, broker, clock, random, metrics);
  catalog->module().seed_if_enabled();
  catalog->module().add_routes(router);
  workers.add(catalog->module().bulk_worker());
  workers.add(catalog->module().reservation_expiry());
  return catalog;
}

}  // namespace orderly::app
