#pragma once

#include <memory>

#include "app/background_workers.hpp"
#include "cache/cache.hpp"
#include "catalog/api/stock_reservations.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/router.hpp"
#include "queue/broker.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The catalog, assembled from the interfaces it needs: its repository, cache,
// import jobs, HTTP handlers, inventory and bulk worker. Mode-neutral: the
// caller brings the cache, broker and outbox of its mode.
class CatalogModule {
 public:
  CatalogModule(const core::CatalogConfig& config, store::Store& store, cache::Cache& cache, queue::Broker& broker,
                queue::EventOutbox& outbox, const core::Clock& clock, core::Random& random);
  ~CatalogModule();
  CatalogModule(const CatalogModule&) = delete;
  CatalogModule& operator=(const CatalogModule&) = delete;

  // The Catalog rows of API.md.
  void add_routes(net::Router& router);
  // For the orders module: stock held by order id (the in-process client).
  [[nodiscard]] catalog::StockReservations& stock();
  // Releases reservations past their expiry, every catalog.reservation_sweep_interval.
  [[nodiscard]] BackgroundWorkers::Worker reservation_expiry();
  // The consumer of the "bulk" queue (CSV imports): what `orderly serve`
  // runs in the background and what an `orderly worker bulk` role would run alone.
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

// Embedded mode (`orderly serve`): the catalog on the in-process cache and
// the process's embedded broker, its routes on `router`, its bulk worker and
// reservation expiry in `workers`, the sample products seeded. Keep the result alive as long as the
// router and the workers run.
[[nodiscard]] std::shared_ptr<CatalogWiring> wire_catalog(net::Router& router, BackgroundWorkers& workers,
                                                          const core::Config& config, store::Store& store,
                                                          queue::EmbeddedBroker& broker, const core::Clock& clock,
                                                          core::Random& random, core::metrics::Registry& metrics);

}  // namespace orderly::app
