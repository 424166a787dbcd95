#include "app/orders_wiring.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/run_sync.hpp"
#include "orders/checkout_saga.hpp"
#include "orders/idempotency_store.hpp"
#include "orders/order_routes.hpp"
#include "orders/order_service.hpp"
#include "orders/order_status_stream.hpp"
#include "lock/leased_job.hpp"
#include "orders/saga_runner.hpp"
#include "orders/saga_store.hpp"
#include "orders/user_directory.hpp"

namespace orderly::app {
namespace {

namespace asio = boost::asio;

// The catalog holds an order's stock a while longer than orders waits for
// its payment, so it is orders that cancels a pending order (with its
// reason and event); the catalog's expiry catches only what orders never
// created.
std::chrono::milliseconds reservation_ttl(const core::OrdersConfig& config) {
  return 2 * config.reservation_timeout;
}

// Expired reservations cancelled per sweep transaction batch.
constexpr std::int64_t kExpiryBatch = 100;
constexpr auto kStopGrace = std::chrono::seconds(10);

class Orders final : public OrdersComponent {
 public:
  Orders(const core::Config& config, store::Store& store, const core::Clock& clock, core::Random& random,
         OrdersDependencies dependencies)
      : config_(config.orders),
        store_(store),
        outbox_(dependencies.outbox),
        users_(dependencies.users),
        keys_(store, clock, random, {config.orders.idempotency_retention, config.orders.idempotency_lease}),
        saga_(store, dependencies.stock, dependencies.payments, *outbox_, users_, clock, random,
              {config.orders.saga_max_attempts, config.orders.saga_backoff_base, config.orders.saga_backoff_max,
               config.orders.saga_lease}),
        runner_(saga_, store, clock, "orders-" + core::random_hex(random, 8),
                {config.orders.saga_poll_interval, config.orders.saga_concurrency}),
        service_({store, dependencies.stock, dependencies.payments, *outbox_, users_, keys_, clock, random,
                  [this] { runner_.wake(); }, reservation_ttl(config.orders), config.orders.require_verified_email}),
        status_streams_(service_, {config.orders.events_heartbeat, config.orders.events_poll_interval,
                                   config.orders.events_max_streams}),
        maintenance_("orders.maintenance", dependencies.lock, dependencies.metrics,
                     // Held across sweeps; a dead holder is replaced after three intervals.
                     {config.orders.maintenance_interval, 3 * config.orders.maintenance_interval},
                     [this](const lock::Lease&) -> asio::awaitable<void> { co_await maintain(); }),
        expired_(dependencies.metrics
                     .counter("orderly_orders_expired_total",
                              "Orders the maintenance sweep cancelled because they stayed pending_payment past "
                              "orders.reservation_timeout: checkout sagas that got stuck.")
                     .with_labels({})),
        work_(asio::make_work_guard(loop_)) {}

  ~Orders() override { Orders::stop(kStopGrace); }

  void add_routes(Routes& routes) override {
    orders::add_order_routes(routes.public_api, service_, store_, status_streams_);
  }

  void start(net::HttpServer& /*server*/) override {
    auto& store = store_;
    if (store.dialect() == store::Dialect::sqlite) {
      const auto forgotten = core::run_sync(keys_.forget_in_progress());
      const auto released = core::run_sync(orders::saga_store::release_all_leases(store));
      if (forgotten > 0 || released > 0) {
        core::log::warn("orders.recovered_after_restart",
                        {{"idempotency_keys_forgotten", forgotten}, {"saga_leases_released", released}});
      }
    }
    const auto unfinished = core::run_sync(orders::saga_store::count_unfinished(store));
    core::log::info("orders.started", {{"unfinished_sagas", unfinished}});
    thread_ = std::thread([this] { loop_.run(); });
    runner_.start(loop_.get_executor());
    maintenance_.start(loop_.get_executor());
  }

  void stop(std::chrono::milliseconds grace) override {
    if (stopped_) return;
    stopped_ = true;
    runner_.stop(grace);
    maintenance_.stop(grace);
    work_.reset();
    loop_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  asio::awaitable<void> maintain() {
    while (true) {  // bounded by the stale orders there are; each pass cancels them
      const auto expired = co_await service_.expire_reservations(config_.reservation_timeout, kExpiryBatch);
      expired_.inc(static_cast<double>(expired));
      if (expired < static_cast<std::size_t>(kExpiryBatch)) break;
    }
    const auto deleted = co_await keys_.delete_expired();
    if (deleted > 0) core::log::info("orders.idempotency_keys_deleted", {{"count", deleted}});
  }

  core::OrdersConfig config_;
  store::Store& store_;
  std::shared_ptr<queue::EventOutbox> outbox_;
  auth::UserDirectory& users_;  // auth's, in-process or remote
  orders::IdempotencyStore keys_;
  orders::CheckoutSaga saga_;
  orders::SagaRunner runner_;
  orders::OrderService service_;
  orders::OrderStatusStreams status_streams_;
  lock::LeasedJob maintenance_;
  core::metrics::Counter& expired_;  // the "saga stuck" alert's signal (deploy/prometheus)
  asio::io_context loop_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<OrdersComponent> wire_orders(const core::Config& config, store::Store& store, const core::Clock& clock,
                                             core::Random& random, OrdersDependencies dependencies) {
  return std::make_unique<Orders>(config, store, clock, random, dependencies);
}

}  // namespace orderly::app
