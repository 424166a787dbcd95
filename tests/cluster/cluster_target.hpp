#pragma once

// Test-only: the platform of `scripts/cluster up`, started once per test
// binary (a GoogleTest environment, before the first test) in a temporary
// folder and stopped with `down --purge` after the last, which must leave no
// process of the cluster behind. The cluster suite and the purchase suite
// both run against it. ORDERLY_CLUSTER_PROFILE=ha selects the
// high-availability profile (`up --ha`), as the ha.* binary runs it.

#include <atomic>
#include <cstdint>
#include <string>

#include "support/purchase_target.hpp"

namespace orderly::testing {

// What `command` (run by /bin/sh) prints on stdout, trailing newlines removed.
std::string capture(const std::string& command);

class ClusterTarget final : public PurchaseTarget {
 public:
  static ClusterTarget& instance();

  void start();
  void stop();

  [[nodiscard]] bool up() const override { return up_; }
  [[nodiscard]] std::string why() const override { return "scripts/cluster up failed; see " + dir_ + "/up.log"; }
  [[nodiscard]] const std::atomic<std::uint16_t>& port() const override { return gateway_port_; }
  [[nodiscard]] std::string mail_folder() const override { return dir_ + "/email-1"; }
  [[nodiscard]] std::string output() override;

  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] bool high_availability() const { return high_availability_; }
  // `scripts/cluster ARGUMENTS --dir DIR`, quiet; its exit code.
  int script(const std::string& arguments) const;

 private:
  std::string dir_;
  std::string script_;  // the script with the environment the suites need
  bool up_ = false;
  bool high_availability_ = false;
  std::atomic<std::uint16_t> gateway_port_{0};
};

}  // namespace orderly::testing
