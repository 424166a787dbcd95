#pragma once

#include <memory>

#include "app/background_workers.hpp"
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
  CatalogModule(const core::CatalogConfig& config, store::Store& store, cache::Cache& cache, queue::Broker& broker,
                queue::EventOutbox& outbox, lock::DistributedLock& lock, const core::Clock& clock,
                core::Random& random, core::metrics::Registry& metrics);
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
  // The consumer of the "bulk" queue (CSV imports): what `orderly serve`
  // runs in the background and what `orderly worker bulk` runs alone.
  [[nodiscard]] BackgroundWorkers::Worker bulk_worker();
  // The sample products, once per database (catalog.seed_sample_products).
  void seed_if_enabled();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// What wire_catalog built; its stock is what the orders module reserves through.
class CatalogWiring {
 public:
  virtual ~CatalogWiring() = default;
  [[nodiscard]] virtual catalog::StockReservations& stock() = 0;
};

// What a process does with the catalog: a service hosts its routes and its
// jobs (and the bulk worker unless catalog.bulk_worker is false); the
// `worker bulk` role only consumes the bulk queue.
struct CatalogRole {
  bool service = true;
  bool bulk_worker = true;
};

// The catalog on the process's broker and outbox, its product cache in
// `shared_redis` when there is one (scale-out: one cache for every catalog
// instance, so an invalidation by one is seen by all), else in this process: its routes on
// `router` (service), its bulk worker and reservation expiry in `workers`,
// the sample products seeded (service). Keep the result alive as long as the
// router and the workers run.
[[nodiscard]] std::shared_ptr<CatalogWiring> wire_catalog(net::Router& router, BackgroundWorkers& workers,
                                                          const core::Config& config, store::Store& store,
                                                          queue::Broker& broker,
                                                          std::shared_ptr<queue::EventOutbox> outbox,
                                                          lock::DistributedLock& lock, const core::Clock& clock,
                                                          core::Random& random, core::metrics::Registry& metrics,
                                                          SharedRedis* shared_redis, CatalogRole role);

}  // namespace orderly::app
