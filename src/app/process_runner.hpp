#pragma once

#include <signal.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "app/background_workers.hpp"
#include "app/component.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/health.hpp"
#include "net/router.hpp"

namespace orderly::net {
class HttpServer;
class Pipeline;
struct TlsFiles;
}  // namespace orderly::net

namespace orderly::app {

// What every role of the binary (serve, service, worker, gateway,
// provider-sim) does the same way around its components: the shutdown
// signals, the log, the metrics and health endpoints, the listeners, the
// background workers, and the order of start and drain. A role builds its
// components, adds them, binds its listeners and calls run():
//
//   ProcessRunner runner(settings, threads);
//   runner.add(catalog);                       // routes and workers now
//   runner.listen("listen", settings.listen, pipeline, true);
//   runner.listen_ops(settings.ops_listen);
//   return runner.run({{"services", "catalog"}});
//
// run() starts the components, then the listeners and the workers, logs
// `<event_prefix>.started`, and on SIGTERM or SIGINT: /readyz turns
// "draining", every component drains (leaves the registry), http.drain_delay
// passes, the listeners drain within http.drain_grace, the workers stop, the
// components stop in reverse order, and `<event_prefix>.stopped` is logged.
// SIGHUP calls the reload handler when there is one.
class ProcessRunner {
 public:
  // Blocks SIGTERM, SIGINT and SIGHUP in this thread and every thread
  // started after it (so only run()'s sigwait receives them), ignores
  // SIGPIPE, starts the log and the process metrics. Construct it before
  // anything starts a thread. `threads` 0: settings.threads, else one per core.
  explicit ProcessRunner(const core::Config& settings, unsigned threads = 0, std::string event_prefix = "server");
  ~ProcessRunner();  // stops the log
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  [[nodiscard]] core::metrics::Registry& metrics() { return metrics_; }
  [[nodiscard]] const core::Clock& clock() const { return clock_; }
  // For request and trace ids only (they are shown in every answer).
  [[nodiscard]] core::Random& request_ids() { return request_ids_; }
  [[nodiscard]] net::HealthRegistry& health() { return health_; }
  [[nodiscard]] BackgroundWorkers& workers() { return workers_; }
  // The public and internal routers, with /healthz and /readyz installed.
  [[nodiscard]] Routes& routes() { return routes_; }
  // The operations router: health and /metrics; a role may add to it before listen_ops().
  [[nodiscard]] net::Router& ops_router() { return ops_router_; }

  // In dependency order (a component after the ones it calls). Adds its
  // routes and workers now; it must outlive run().
  void add(Component& component);
  // Binds now, so a taken port fails the start before anything runs.
  // Throws StartupError naming the setting and the address.
  void listen(const std::string& key, const core::HostPort& address, const net::Pipeline& pipeline,
              bool on_every_loop, const net::TlsFiles* tls = nullptr);
  // The operations listener (one loop): ids and tracing, no access log.
  void listen_ops(const core::HostPort& address);
  [[nodiscard]] core::HostPort bound_address(std::string_view key) const;
  // Called on SIGHUP, on the signal thread. Without one, SIGHUP is logged and ignored.
  void on_reload(std::function<void()> reload) { reload_ = std::move(reload); }
  // Fields added to the `.stopped` line (e.g. the provider's counts).
  void on_stopped(std::function<void(boost::json::object&)> report) { stopped_report_ = std::move(report); }

  // Runs the process until a shutdown signal, as the class comment says;
  // `started` goes into the `.started` line with the bound listeners.
  // Returns the exit code: 0, or 2 when a component refused to start.
  int run(boost::json::object started);

 private:
  const core::Config& settings_;
  std::string event_prefix_;
  sigset_t signals_{};
  core::SystemClock clock_;
  core::FastRandom request_ids_;
  core::metrics::Registry metrics_;
  net::HealthRegistry health_;
  net::Router public_router_;
  net::Router internal_router_;
  net::Router ops_router_;
  Routes routes_{public_router_, internal_router_};
  unsigned threads_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<net::Pipeline> ops_pipeline_;
  std::vector<std::string> listeners_;
  std::vector<Component*> components_;
  BackgroundWorkers workers_;  // declared after server_: stopped (and destroyed) first
  std::function<void()> reload_;
  std::function<void(boost::json::object&)> stopped_report_;
};

// Runs `role` and turns a StartupError (or a setting refused on the way,
// core::ConfigError) into one "orderly: ..." line on stderr and exit code 2.
int run_role(const std::function<int()>& role);

}  // namespace orderly::app
