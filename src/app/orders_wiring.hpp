#pragma once

#include <memory>

#include "app/component.hpp"
#include "auth/api/user_directory.hpp"
#include "catalog/api/stock_reservations.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "lock/lock.hpp"
#include "net/router.hpp"
#include "payments/api/payments_client.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::app {

// What the orders module needs from the other modules.
struct OrdersDependencies {
  catalog::StockReservations& stock;  // the catalog's client
  payments::PaymentsClient& payments;  // the payments service's client
  auth::UserDirectory& users;          // auth's client: who to e-mail
  std::shared_ptr<queue::EventOutbox> outbox;  // of the process's mode (embedded: EmbeddedEventOutbox)
  lock::DistributedLock& lock;         // leases the maintenance sweep to one orders process at a time
  core::metrics::Registry& metrics;
};

// The orders module of one process: its routes, the checkout saga runner and
// the maintenance jobs (reservation expiry, idempotency-key clean-up), which
// run as coroutines on a worker event loop of their own. Every orders process
// runs sagas (each saga is claimed under a lease of its own, so they share
// the work); the maintenance sweep runs in one at a time (a LeasedJob).
// Stopping (or destroying) it stops the runner (sagas in flight reach their
// next recorded step, or resume after a restart) before the store goes away.
class OrdersComponent : public Component {
 public:
  [[nodiscard]] std::string_view name() const override { return "orders"; }
};

// The orders module; add it to the runner, which adds its routes and, at
// start, the saga runner and jobs. Embedded mode (SQLite: this process is
// the only one using the database) first forgets idempotency keys and saga
// leases left by a crashed run, so every unfinished saga resumes at once
// from its last recorded step; a failure of that recovery (store::StoreError)
// refuses the start.
[[nodiscard]] std::unique_ptr<OrdersComponent> wire_orders(const core::Config& config, store::Store& store,
                                                           const core::Clock& clock, core::Random& random,
                                                           OrdersDependencies dependencies);

}  // namespace orderly::app
