#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "lock/periodic_job.hpp"
#include "registry/etcd_client.hpp"
#include "registry/instance.hpp"

namespace orderly::registry {

struct RegistrationOptions {
  std::string prefix = "/orderly/";
  std::chrono::seconds ttl{5};  // a killed instance leaves the registry this long after its last keep-alive
};

// This process in the registry: its instance key, attached to a lease that it
// keeps alive every third of the ttl. If the lease is lost (etcd restarted, a
// pause longer than the ttl) or etcd cannot be reached, it registers again
// as soon as etcd answers. A clean stop revokes the lease, so the key is gone
// at once: call request_stop() when the process starts draining, before its
// listeners close, and followers stop sending it traffic.
//
// Logs registry.registered, registry.lease_lost, registry.unreachable (once
// per outage) and registry.deregistered.
class Registration {
 public:
  Registration(EtcdClient& etcd, Instance self, RegistrationOptions options);
  ~Registration();
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  // Until request_stop(); then revokes the lease and returns (a background worker).
  boost::asio::awaitable<void> run();
  void request_stop();
  [[nodiscard]] bool registered() const;

  // How often the job looks at its lease: often enough to renew every third
  // of the ttl and to re-register within a second of etcd coming back.
  [[nodiscard]] static std::chrono::milliseconds tick_interval(std::chrono::seconds ttl);

 private:
  struct State;
  std::shared_ptr<State> state_;
  lock::PeriodicJob job_;
};

}  // namespace orderly::registry
