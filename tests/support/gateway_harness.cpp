#include "support/gateway_harness.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <boost/json/parse.hpp>

#include "support/http_client.hpp"

namespace orderly::testing {

GatewayFile::GatewayFile() {
  char folder[] = "/tmp/orderly-gateway-XXXXXX";
  if (mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp failed");
  folder_ = folder;
}

GatewayFile::~GatewayFile() {
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

void GatewayFile::write(const std::string& yaml) const {
  std::ofstream(path()) << yaml;
}

std::unique_ptr<OrderlyProcess> start_gateway(const GatewayFile& file, std::vector<std::string> extra_args) {
  OrderlyProcess::Options options;
  options.args = {"gateway", "--config", file.path(), "--threads", "2"};
  options.args.insert(options.args.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<OrderlyProcess>(options);
}

std::string instances(const std::vector<std::uint16_t>& ports) {
  std::string list = "[";
  for (const auto port : ports)
    list += (list.size() > 1 ? ", " : "") + std::string("127.0.0.1:") + std::to_string(port);
  return list + "]";
}

std::optional<boost::json::object> instance_state(const OrderlyProcess& gateway, std::uint16_t port) {
  const auto response = http_get(gateway.ops_port(), "/api/v1/admin/upstreams");
  if (!response || response->status != 200) return std::nullopt;
  const auto document = boost::json::parse(response->body);
  for (const auto& upstream : document.at("upstreams").as_array()) {
    for (const auto& instance : upstream.at("instances").as_array()) {
      if (instance.at("address").as_string() == "127.0.0.1:" + std::to_string(port)) return instance.as_object();
    }
  }
  return std::nullopt;
}

}  // namespace orderly::testing
