#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace orderly::rpc {

// Where the instances of one service are, as a snapshot: a static list from
// the configuration, or what the registry (etcd) shows now. Thread-safe.
class InstanceSource {
 public:
  virtual ~InstanceSource() = default;
  [[nodiscard]] virtual std::vector<core::HostPort> instances() const = 0;
};

// A list that changes only when someone calls replace() (the configuration,
// or a registry follower that pushes what it saw).
class StaticInstances final : public InstanceSource {
 public:
  explicit StaticInstances(std::vector<core::HostPort> instances) : instances_(std::move(instances)) {}
  [[nodiscard]] std::vector<core::HostPort> instances() const override {
    std::lock_guard lock(mutex_);
    return instances_;
  }
  void replace(std::vector<core::HostPort> instances) {
    std::lock_guard lock(mutex_);
    instances_ = std::move(instances);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<core::HostPort> instances_;
};

}  // namespace orderly::rpc
