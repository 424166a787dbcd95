#include "app/serve.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/auth_wiring.hpp"
#include "app/background_workers.hpp"
#include "app/catalog_wiring.hpp"
#include "app/http_stack.hpp"
#include "app/notify_wiring.hpp"
#include "app/orders_wiring.hpp"
#include "app/queue_setup.hpp"
#include "app/payments_wiring.hpp"
#include "app/schema.hpp"
#include "app/store_setup.hpp"
#include "app/version.hpp"
#include "core/logging.hpp"
#include "core/process_metrics.hpp"
#include "core/run_sync.hpp"
#include "net/health.hpp"
#include "net/http_server.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/event_outbox.hpp"
#include "store/migrations.hpp"

namespace orderly::app {
namespace {

constexpr int kStartupError = 2;

// A data folder that vanished or turned read-only makes every write fail:
// report it on /readyz instead of failing requests one by one.
net::HealthCheck data_dir_check(std::filesystem::path folder) {
  return [folder = std::move(folder)]() -> boost::asio::awaitable<net::HealthStatus> {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) co_return net::HealthStatus{false, "data folder missing"};
    if (::access(folder.c_str(), W_OK) != 0) co_return net::HealthStatus{false, "data folder not writable"};
    co_return net::HealthStatus{};
  };
}

void add_metrics_endpoint(net::Router& router, const core::metrics::Registry& metrics) {
  router.add("GET", "/metrics",
             [&metrics](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
               co_return net::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
             });
}

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

int serve(const core::Config& config) {
  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and only sigwait() below receives them.
  const auto signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error code, not a kill

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    std::cerr << "orderly: data_dir " << config.data_dir << ": " << ec.message() << "\n";
    return kStartupError;
  }

  core::log::start(core::log::parse_level(config.log.level));
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  core::metrics::register_process_metrics(metrics);
  metrics.gauge("orderly_build_info", "Always 1; the version is a label.", {"version"}).with_labels({kVersion}).set(1);
  metrics.gauge_callback("orderly_log_lines_dropped", "Log lines dropped because the writer fell behind.",
                         [] { return static_cast<double>(core::log::dropped_count()); });

  std::unique_ptr<store::Store> store;
  try {
    store = open_store(config, metrics);
    const auto migrations = all_migrations();
    const auto report = core::run_sync(store::migrate(*store, migrations));
    core::log::info("store.ready", {{"store", store_description(config)}, {"schema_version", report.current},
                                    {"migrations_applied", report.applied.size()}});
  } catch (const store::StoreError& error) {
    std::cerr << "orderly: store " << store_description(config) << ": " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }

  // Modules, in dependency order; each adds its routes below.
  std::unique_ptr<AuthComponent> auth;
  try {
    auth = std::make_unique<AuthComponent>(config, *store, clock, random, metrics);
    core::run_sync(auth->start());
  } catch (const std::exception& error) {
    std::cerr << "orderly: auth: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }

  net::HealthRegistry health;
  health.add("data_dir", data_dir_check(config.data_dir));
  health.add("store", store_check(*store));

  // The process's ONE broker (embedded mode: queues in the store). Every
  // module's wiring gets it: consumers as queue::Broker&, producers through
  // queue::EmbeddedEventOutbox(broker). Never create a second one: two would
  // share tables but not their settings or metrics.
  queue::EmbeddedBroker broker(*store, clock, random, metrics, embedded_broker_options(config));

  net::Router public_router;
  health.install(public_router);
  auth->add_routes(public_router);
  const auto payments = wire_payments(config, *store, public_router, clock, random, metrics);
  if (!payments) { core::log::stop(); return kStartupError; }
  auto notify = add_notify(public_router, config, *store, broker, clock, random, metrics);
  BackgroundWorkers workers;  // queue consumers and periodic jobs; started after the listeners
  const auto catalog = wire_catalog(public_router, workers, config, *store, broker, clock, random, metrics);
  const auto orders = wire_orders(public_router, config, *store, clock, random,
                                  {catalog->stock(), *payments->service,
                                   std::make_shared<queue::EmbeddedEventOutbox>(broker)});
  PublicPipeline public_pipeline(public_router, config, metrics, clock, random, {auth->authenticate_middleware()});

  net::Router ops_router;
  health.install(ops_router);
  add_metrics_endpoint(ops_router, metrics);
  const auto ops_pipeline = make_ops_pipeline(ops_router, random);

  const unsigned threads = config.threads != 0 ? config.threads : std::max(1U, std::thread::hardware_concurrency());
  net::HttpServer server(threads, config.http, metrics, clock);
  try {
    server.add_listener("listen", config.listen, public_pipeline.pipeline, true);
    server.add_listener("ops_listen", config.ops_listen, *ops_pipeline, false);
  } catch (const net::BindError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }
  auth->start_key_reload(server.loop_executor(0));
  // After the listeners bound: a start-up that fails on a taken port must not
  // have created (and shown the password of) an account first.
  if (config.auth.seed_admin) {
    std::optional<std::string> admin_password;
    if (const char* from_environment = std::getenv("ORDERLY_ADMIN_PASSWORD"); from_environment && *from_environment) {
      admin_password = from_environment;
    }
    try {
      core::run_sync(auth->seed_admin(std::move(admin_password)));
    } catch (const std::exception& error) {
      std::cerr << "orderly: auth: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
  }
  server.start();
  workers.start();
  core::log::info("server.started", {{"version", kVersion},
                                     {"listen", server.bound_address("listen").to_string()},
                                     {"ops_listen", server.bound_address("ops_listen").to_string()},
                                     {"threads", threads},
                                     {"data_dir", config.data_dir},
                                     {"pid", ::getpid()}});
  core::log::flush();

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  core::log::info("server.draining", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
                                      {"grace_ms", config.http.drain_grace.count()}});
  health.set_draining();
  if (config.http.drain_delay.count() > 0) {
    // Still serving, but /readyz answers 503 "draining": load balancers that
    // poll it take this instance out before its listeners close.
    std::this_thread::sleep_for(config.http.drain_delay);
  }
  const auto unfinished = server.drain(config.http.drain_grace);
  workers.stop(config.http.drain_grace);
  if (unfinished > 0) {
    core::log::warn("server.drain_incomplete", {{"connections_cut", unfinished}});
  }
  if (notify) notify->stop();  // finishes the messages in flight
  core::log::info("server.stopped", {{"clean", unfinished == 0}});
  core::log::stop();
  return 0;
}

}  // namespace orderly::app
