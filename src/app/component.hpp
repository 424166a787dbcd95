#pragma once

#include <chrono>
#include <stdexcept>
#include <string_view>

#include "app/background_workers.hpp"

namespace orderly::net {
class HttpServer;
class Router;
}  // namespace orderly::net

namespace orderly::app {

// The routers a component adds its endpoints to.
struct Routes {
  net::Router& public_api;  // the public listener (behind the gateway in scale-out)
  net::Router& internal;    // /internal/v1 on the internal listener: other services, with a credential
};

// The one shape of every module in a process (auth, catalog, orders, ...)
// and of the process-level parts (registry membership, followed keys): what
// it serves, what it runs in the background, how it starts and how it stops.
// A role is a list of components; the ProcessRunner calls each hook at its
// moment, in the order the components were added (stop: in reverse):
//
//   add_routes, add_workers   when added, before any listener binds
//   start                     once the listeners are bound, before they accept
//   drain                     first thing on SIGTERM, while still serving
//   stop                      after the HTTP drain and the background workers
//
// Every hook has a default that does nothing, so a component says only what
// it does. A component outlives the runner's run().
class Component {
 public:
  virtual ~Component() = default;
  // For logs: "catalog", "registry", ...
  [[nodiscard]] virtual std::string_view name() const = 0;
  // The route metrics size themselves to the route table: every route is added here.
  virtual void add_routes(Routes& /*routes*/) {}
  // Queue consumers and periodic jobs; the runner starts them once the listeners accept.
  virtual void add_workers(BackgroundWorkers& /*workers*/) {}
  // Recovery, seeding and the component's own loops. Throws StartupError
  // (or any std::exception) to refuse the start: the process exits with 2.
  virtual void start(net::HttpServer& /*server*/) {}
  // Leave the rotation (e.g. the registry) while requests in flight finish.
  virtual void drain(std::chrono::milliseconds /*grace*/) {}
  // Finish what is in flight and stop; nothing calls into the component after this.
  virtual void stop(std::chrono::milliseconds /*grace*/) {}
};

// A start-up that cannot go on: the one line a user sees on stderr after
// "orderly: " (the setting or part that failed, then why). Exit code 2.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace orderly::app
