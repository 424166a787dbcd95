#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lock/periodic_job.hpp"
#include "registry/etcd_client.hpp"
#include "registry/instance.hpp"

namespace orderly::registry {

struct FollowerOptions {
  std::string prefix = "/orderly/";
  // How often the registry is read: a new instance is in rotation at most
  // this long after it registered (plus the time the follower takes to apply it).
  std::chrono::milliseconds interval{1000};
};

// Follows the registry by polling (one range read of the services prefix per
// interval; etcd's watch is a stream the HTTP client does not read) and hands
// the whole directory to `on_change` whenever it differs from the last one
// handed over, the first time included. While etcd cannot be read it keeps the
// last directory (an outage of etcd must not empty every pool) and logs
// registry.unreachable once per outage. on_change runs on the follower's
// executor; it should be quick.
class RegistryFollower {
 public:
  using OnChange = std::function<void(const Directory&)>;

  RegistryFollower(EtcdClient& etcd, FollowerOptions options, OnChange on_change);
  ~RegistryFollower();
  RegistryFollower(const RegistryFollower&) = delete;
  RegistryFollower& operator=(const RegistryFollower&) = delete;

  // PeriodicJob's two shapes: start()/stop() on an executor of the caller's,
  // or run() until request_stop() (a background worker).
  void start(boost::asio::any_io_executor executor);
  void stop(std::chrono::milliseconds grace);
  boost::asio::awaitable<void> run();
  void request_stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
  lock::PeriodicJob job_;
};

}  // namespace orderly::registry
