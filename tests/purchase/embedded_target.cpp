// The purchase suite's target in embedded mode: one `orderly serve` per test
// process (CTest runs each test in a process of its own), with its defaults:
// the same delivery limit and back-off as the cluster's workers.
#include <memory>

#include "support/orderly_process.hpp"
#include "support/purchase_target.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

class EmbeddedTarget final : public PurchaseTarget {
 public:
  EmbeddedTarget()
      : server_(OrderlyProcess::Options{.environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}}),
        port_(server_.port()) {}

  [[nodiscard]] bool up() const override { return port_ != 0; }
  [[nodiscard]] std::string why() const override { return "orderly serve did not start"; }
  [[nodiscard]] const std::atomic<std::uint16_t>& port() const override { return port_; }
  [[nodiscard]] std::string mail_folder() const override { return server_.data_dir() + "/data"; }
  [[nodiscard]] std::string output() override {
    std::string text;
    for (const auto& line : server_.stdout_lines()) text += line + "\n";
    return text + server_.stderr_text();
  }

 private:
  OrderlyProcess server_;
  std::atomic<std::uint16_t> port_;
};

}  // namespace

PurchaseTarget& purchase_target() {
  static EmbeddedTarget target;  // started by the first test, stopped at exit
  return target;
}

}  // namespace orderly::testing
