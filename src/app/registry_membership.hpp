#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "registry/instance.hpp"

namespace orderly::app {

// A process's part in the registry (registry.etcd): the instances it
// advertises, each under a lease it keeps alive, and the services whose
// instance lists it follows. Runs on a thread of its own, so a slow etcd
// never holds up a request. Embedded mode has none (registry.etcd empty).
//
//   auto membership = RegistryMembership::from_config(config, clock);
//   membership->follow([&](const registry::Directory& all) { ... });
//   membership->start_following(3s);  // before the clients are used
//   membership->advertise({"catalog", id, "127.0.0.1:8081", "127.0.0.1:9091", version});
//   membership->start_advertising();  // once the listeners are bound
//   ...
//   membership->deregister(grace);    // first thing when draining
class RegistryMembership {
 public:
  // nullptr when registry.etcd is empty. Throws core::ConfigError for
  // settings that cannot work (a ttl under etcd's 2 s minimum).
  [[nodiscard]] static std::unique_ptr<RegistryMembership> from_config(const core::Config& config,
                                                                       const core::Clock& clock);

  RegistryMembership(const core::Config& config, const core::Clock& clock);
  ~RegistryMembership();
  RegistryMembership(const RegistryMembership&) = delete;
  RegistryMembership& operator=(const RegistryMembership&) = delete;

  // Before start_following(). `on_change` gets the whole directory each time
  // it changed, on the membership's thread.
  void follow(std::function<void(const registry::Directory&)> on_change);
  // Starts reading the registry every registry.poll_interval and waits up
  // to `first_read` for the first directory, so a process knows its peers
  // before it serves. False when none came in time (it keeps trying).
  bool start_following(std::chrono::milliseconds first_read);

  // Before start_advertising().
  void advertise(registry::Instance self);
  void start_advertising();
  // Revokes every advertised lease, so followers stop routing here within
  // their poll interval. Safe to call twice.
  void deregister(std::chrono::milliseconds grace);

  // The host:port to advertise for a listener bound at `bound`:
  // registry.advertise_host with its port, else `bound` itself. Throws
  // core::ConfigError when that would be a wildcard address.
  [[nodiscard]] static std::string advertised(const core::Config& config, const core::HostPort& bound);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace orderly::app
