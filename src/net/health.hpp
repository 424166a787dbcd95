#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/router.hpp"

namespace orderly::net {

struct HealthStatus {
  bool up = true;
  std::string detail;  // why it is down; shown on /readyz, so never a secret
};

// A readiness probe of one dependency. It must finish quickly (apply its own
// timeout, a second or two), because /readyz runs every check on each call.
using HealthCheck = std::function<boost::asio::awaitable<HealthStatus>()>;

// Liveness and readiness. /healthz answers 200 while the process can serve;
// /readyz answers 200 only when every registered dependency is up and the
// server is not draining, else 503 naming what failed, so a load balancer
// stops sending traffic before a shutdown or during an outage.
class HealthRegistry {
 public:
  // Register at start-up, before install() serves traffic.
  void add(std::string name, HealthCheck check);
  void set_draining() { draining_.store(true, std::memory_order_relaxed); }

  // Adds GET /healthz and GET /readyz to `router`.
  void install(Router& router) const;

  boost::asio::awaitable<Response> readiness() const;

 private:
  std::vector<std::pair<std::string, HealthCheck>> checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace orderly::net
