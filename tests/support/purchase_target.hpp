#pragma once

// Test-only: what the purchase suite (tests/purchase) needs of a running
// platform, so the same assertions run against `orderly serve` and against
// `scripts/cluster up` through its gateway. Each test binary that compiles
// the suite links exactly one definition of purchase_target():
// tests/purchase/embedded_target.cpp or tests/cluster/cluster_target.cpp.

#include <atomic>
#include <cstdint>
#include <string>

namespace orderly::testing {

class PurchaseTarget {
 public:
  virtual ~PurchaseTarget() = default;

  // False when the platform did not come up; why() then says where to look.
  [[nodiscard]] virtual bool up() const = 0;
  [[nodiscard]] virtual std::string why() const = 0;
  // The public HTTP port: serve's listener, or the gateway's.
  [[nodiscard]] virtual const std::atomic<std::uint16_t>& port() const = 0;
  // The e-mail worker's data folder: its mails are in `maildir/new` inside.
  [[nodiscard]] virtual std::string mail_folder() const = 0;
  // Everything the platform's processes have written so far (log lines and stderr).
  [[nodiscard]] virtual std::string output() = 0;
};

PurchaseTarget& purchase_target();

}  // namespace orderly::testing
