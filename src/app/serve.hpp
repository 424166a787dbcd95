#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace orderly::app {

// The services one process hosts: every one (`orderly serve`, embedded) or
// those named to `orderly service` (scale-out), which also opens the
// internal listener (/internal/v1, service credentials) and reaches the
// services it does not host through their clients (services.<name>).
//
// A worker role (`orderly worker email|bulk`) hosts one queue consumer of
// its service on that service's data, with the operations listener only:
// no public routes, no internal API, no jobs.
struct ServiceSelection {
  std::vector<std::string> names;  // in service_names() order
  bool internal_listener = false;
  std::string worker;  // "email" or "bulk" for a worker role; empty for services

  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] bool is_worker() const { return !worker.empty(); }
  [[nodiscard]] static ServiceSelection embedded();
  // Throws std::invalid_argument for a name other than email or bulk.
  [[nodiscard]] static ServiceSelection worker_role(std::string_view name);
};

// email, bulk: the queue consumers `orderly worker` runs.
[[nodiscard]] const std::vector<std::string>& worker_names();

// auth, catalog, orders, payments, notify.
[[nodiscard]] const std::vector<std::string>& service_names();

// Embedded mode: every service in one process. Blocks until SIGTERM or SIGINT,
// then drains and returns the exit code (0 after a drain, 2 when a listener
// cannot bind or the data folder cannot be made).
int serve(const core::Config& config);

// The one process runner behind `serve`, `service` and `worker`: the store and its
// migrations, the selected modules with their routes and jobs, the public,
// internal and operations listeners, readiness, and the drain on SIGTERM.
// Returns like serve(); 2 also when a remote service the selection needs has
// no instances configured.
int run_services(const core::Config& config, const ServiceSelection& selection);

}  // namespace orderly::app
