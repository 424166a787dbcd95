#pragma once

// Test-only: running `orderly gateway` against a YAML file the test writes.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "support/orderly_process.hpp"

namespace orderly::testing {

// A gateway file in a temporary folder, removed with the object.
class GatewayFile {
 public:
  GatewayFile();
  ~GatewayFile();
  GatewayFile(const GatewayFile&) = delete;
  GatewayFile& operator=(const GatewayFile&) = delete;

  void write(const std::string& yaml) const;
  [[nodiscard]] std::string path() const { return folder_ + "/gateway.yaml"; }

 private:
  std::string folder_;
};

// `orderly gateway --config FILE --threads 2` plus `extra_args` (e.g. --set KEY=VALUE), started.
std::unique_ptr<OrderlyProcess> start_gateway(const GatewayFile& file, std::vector<std::string> extra_args = {});

// "[127.0.0.1:P1, 127.0.0.1:P2]": the instances list of an upstream.
std::string instances(const std::vector<std::uint16_t>& ports);

// The gateway's view of one instance, from GET /api/v1/admin/upstreams on the ops port.
std::optional<boost::json::object> instance_state(const OrderlyProcess& gateway, std::uint16_t port);

}  // namespace orderly::testing
