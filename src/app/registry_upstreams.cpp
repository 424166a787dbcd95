#include "app/registry_upstreams.hpp"

#include "core/logging.hpp"

namespace orderly::app {

RegistryUpstreams::RegistryUpstreams(gateway::Gateway& gateway, gateway::GatewayConfig file_config)
    : gateway_(gateway), file_config_(std::move(file_config)) {}

bool RegistryUpstreams::any(const gateway::GatewayConfig& config) {
  for (const auto& upstream : config.upstreams) {
    if (!upstream.registry_service.empty()) return true;
  }
  return false;
}

void RegistryUpstreams::on_directory(const registry::Directory& directory) {
  const std::lock_guard lock(mutex_);
  directory_ = directory;
  try {
    apply_locked(false);
  } catch (const core::ConfigError& error) {
    core::log::error("gateway.registry_apply_refused", {{"error", error.what()}});
  }
}

void RegistryUpstreams::on_reload(gateway::GatewayConfig file_config) {
  const std::lock_guard lock(mutex_);
  file_config_ = std::move(file_config);
  apply_locked(true);
}

void RegistryUpstreams::apply_locked(bool force) {
  auto config = file_config_;
  std::map<std::string, std::vector<std::string>> in_force;
  for (auto& upstream : config.upstreams) {
    if (upstream.registry_service.empty()) continue;
    upstream.instances.clear();
    auto& listed = in_force[upstream.name];
    if (const auto found = directory_.find(upstream.registry_service); found != directory_.end()) {
      for (const auto& instance : found->second) {
        try {
          upstream.instances.push_back(core::HostPort::parse(instance.public_address));
          listed.push_back(instance.public_address);
        } catch (const std::invalid_argument&) {
          core::log::warn("gateway.registry_instance_skipped", {{"service", instance.service}, {"id", instance.id}});
        }
      }
    }
  }
  if (!force && in_force == applied_) return;
  gateway_.apply(std::move(config));
  for (const auto& [name, instances] : in_force) {
    if (applied_[name] != instances) {
      core::log::info("gateway.registry_instances",
                      {{"upstream", name}, {"instances", instances.size()}});
    }
  }
  applied_ = std::move(in_force);
}

}  // namespace orderly::app
