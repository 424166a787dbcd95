#pragma once

#include <memory>

#include "app/background_workers.hpp"
#include "app/component.hpp"
#include "app/shared_redis.hpp"
#include "cache/cache.hpp"
#include "catalog/api/stock_reservations.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/router.hpp"
#include "queue/broker.hpp"
#include "lock/lock.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The catalog, assembled from the interfaces it needs: its repository, cache,
// import jobs, HTTP handlers, inventory and bulk worker. Mode-neutral: the
// caller brings the cache, broker and outbox of its mode.
class CatalogModule {
 public:
  // `lock` leases the reservation expiry to one catalog process at a time.
  // `shared_cache`: `cache` outlives this process (Redis), so every product
  // write also records its invalidation as an event (catalog/product_cache.hpp).
  CatalogModule(const core::CatalogConfig& config, store::Store& store, cache::Cache& cache, queue::Broker& broker,
                queue::EventOutbox& outbox, lock::DistributedLock& lock, const core::Clock& clock,
                core::Random& random, core::metrics::Registry& metrics, bool shared_cache);
  ~CatalogModule();
  CatalogModule(const CatalogModule&) = delete;
  CatalogModule& operator=(const CatalogModule&) = delete;

  // The Catalog rows of API.md.
  void add_routes(net::Router& router);
  // For the orders module: stock held by order id (the in-process client).
  [[nodiscard]] catalog::StockReservations& stock();
  // Releases reservations past their expiry, every catalog.reservation_sweep_interval,
  // in one catalog process at a time (a singleton job under a lease).
  [[nodiscard]] BackgroundWorkers::Worker reservation_expiry();
  // Scale-out: the consumer of those invalidation events ("catalog-cache").
  [[nodiscard]] BackgroundWorkers::Worker cache_invalidation();
  // The consumer of the "bulk" queue (CSV imports): what `orderly serve`
  // runs in the background and what `orderly worker bulk` runs alone.
  [[nodiscard]] BackgroundWorkers::Worker bulk_worker();
  // The sample products, once per database (catalog.seed_sample_products).
  void seed_if_enabled();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// What a process does with the catalog: a service hosts its routes and its
// jobs (and the bulk worker unless catalog.bulk_worker is false); the
// `worker bulk` role only consumes the bulk queue.
struct CatalogRole {
  bool service = true;
  bool bulk_worker = true;
};

// The catalog in a process, on the process's broker and outbox, its product
// cache in `shared_redis` when there is one (scale-out: one cache for every
// catalog instance, so an invalidation by one is seen by all), else in this
// process. A service adds its public routes, the internal stock routes,
// the reservation expiry, and seeds the sample products at start; the bulk
// worker consumes the CSV imports.
class CatalogComponent final : public Component {
 public:
  CatalogComponent(const core::Config& config, store::Store& store, queue::Broker& broker,
                   std::shared_ptr<queue::EventOutbox> outbox, lock::DistributedLock& lock, const core::Clock& clock,
                   core::Random& random, core::metrics::Registry& metrics, SharedRedis* shared_redis,
                   CatalogRole role);
  ~CatalogComponent() override;
  [[nodiscard]] std::string_view name() const override { return "catalog"; }
  void add_routes(Routes& routes) override;
  void add_workers(BackgroundWorkers& workers) override;
  void start(net::HttpServer& server) override;
  // For the orders module: stock held by order id (the in-process client).
  [[nodiscard]] catalog::StockReservations& stock() { return module_.stock(); }

 private:
  CatalogRole role_;
  std::unique_ptr<cache::Cache> cache_;
  std::shared_ptr<queue::EventOutbox> outbox_;
  bool shared_cache_;
  CatalogModule module_;
};

}  // namespace orderly::app
