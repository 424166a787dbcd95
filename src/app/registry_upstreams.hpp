#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/gateway.hpp"
#include "gateway/gateway_config.hpp"
#include "registry/instance.hpp"

namespace orderly::app {

// The gateway's upstreams that name a registry service (`registry: catalog`)
// take their instances from what the registry shows: each change of the
// directory, and each reload of the file, puts the file's configuration with
// those instances in force. Upstreams whose instances did not change keep
// their pools (Gateway::apply). Thread-safe.
class RegistryUpstreams {
 public:
  RegistryUpstreams(gateway::Gateway& gateway, gateway::GatewayConfig file_config);

  // Whether any upstream of `config` follows the registry.
  [[nodiscard]] static bool any(const gateway::GatewayConfig& config);

  // A new directory from the registry follower.
  void on_directory(const registry::Directory& directory);
  // A new file configuration (SIGHUP). Throws core::ConfigError like Gateway::apply.
  void on_reload(gateway::GatewayConfig file_config);

 private:
  // The file's configuration with the registry's instances; empty when
  // nothing differs from what is in force.
  void apply_locked(bool force);

  gateway::Gateway& gateway_;
  std::mutex mutex_;
  gateway::GatewayConfig file_config_;
  registry::Directory directory_;
  std::map<std::string, std::vector<std::string>> applied_;  // upstream -> instances in force
};

}  // namespace orderly::app
