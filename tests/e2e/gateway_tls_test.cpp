// TLS termination at the gateway, with a CA and a certificate the test makes
// with the openssl command: curl trusting that CA gets through over TLS 1.2
// and 1.3, TLS 1.1 and an unknown CA are refused, a plaintext request to the
// TLS port gets its connection closed, and a redirecting plaintext listener
// answers 308 to https.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <boost/json/parse.hpp>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return result;
  char chunk[512];
  while (fgets(chunk, sizeof chunk, pipe) != nullptr) result.output += chunk;
  const auto status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class GatewayTls : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-gateway-tls-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    dir_ = folder;
    // A CA, and a server certificate for localhost and 127.0.0.1 signed by it.
    const auto in = "cd " + dir_ + " && ";
    ASSERT_EQ(run(in + "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
                       "-subj /CN=orderly-test-ca -keyout ca.key -out ca.crt")
                  .exit_code,
              0);
    ASSERT_EQ(run(in + "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
                       "-keyout server.key -out server.csr")
                  .exit_code,
              0);
    std::ofstream(dir_ + "/ext.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    ASSERT_EQ(run(in + "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
                       "-extfile ext.cnf -out server.crt")
                  .exit_code,
              0);
    std::ofstream(dir_ + "/gateway.yaml")
        << "listeners:\n"
           "  - {name: https, address: 127.0.0.1:0, tls: {certificate: "
        << dir_ << "/server.crt, private_key: " << dir_
        << "/server.key}}\n"
           "  - {name: http, address: 127.0.0.1:0, redirect_to_https: true}\n"
           "ops_listen: 127.0.0.1:0\n"
           "upstreams:\n  app: {instances: [127.0.0.1:9], health: {enabled: false}}\n"
           "routes:\n  - {match: {prefix: /app}, upstream: app}\n";
    OrderlyProcess::Options options;
    options.args = {"gateway", "--config", dir_ + "/gateway.yaml", "--threads", "2"};
    gateway_ = std::make_unique<OrderlyProcess>(options);
    const auto started = gateway_->wait_for_line("\"event\":\"server.started\"", 5s);
    ASSERT_TRUE(started.has_value());
    const std::string http(boost::json::parse(*started).at("listeners").at("http").as_string());
    http_port_ = static_cast<std::uint16_t>(std::stoi(std::string(http.substr(http.rfind(':') + 1))));
  }
  void TearDown() override {
    gateway_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  CommandResult curl(const std::string& flags) const {
    return run("curl -sS --max-time 5 -o /dev/null -w '%{http_code}' " + flags + " https://localhost:" +
               std::to_string(gateway_->port()) + "/healthz");
  }

  std::string dir_;
  std::unique_ptr<OrderlyProcess> gateway_;
  std::uint16_t http_port_ = 0;
};

TEST_F(GatewayTls, CurlTrustingTheCaGetsThroughOnTls12And13) {
  const auto tls13 = curl("--cacert " + dir_ + "/ca.crt --tlsv1.3");
  EXPECT_EQ(tls13.exit_code, 0);
  EXPECT_EQ(tls13.output, "200");
  const auto tls12 = curl("--cacert " + dir_ + "/ca.crt --tlsv1.2 --tls-max 1.2");
  EXPECT_EQ(tls12.exit_code, 0);
  EXPECT_EQ(tls12.output, "200");
}

TEST_F(GatewayTls, AnUnknownCaAndOldProtocolsAreRefused) {
  EXPECT_EQ(curl("").exit_code, 60) << "curl: peer certificate cannot be authenticated";
  EXPECT_NE(curl("--cacert " + dir_ + "/ca.crt --tlsv1 --tls-max 1.1").exit_code, 0);
}

TEST_F(GatewayTls, PlaintextToTheTlsPortIsClosedWithoutAnAnswer) {
  HttpConnection connection(gateway_->port());
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  // No HTTP answer comes back (at most a TLS alert, which wait_closed discards), then the close.
  EXPECT_TRUE(connection.wait_closed(3s));
  const auto metrics = http_get(gateway_->ops_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("orderly_http_protocol_errors_total{reason=\"tls_handshake\"} 1"), std::string::npos);
}

TEST_F(GatewayTls, ThePlaintextListenerRedirectsToHttps) {
  const auto response = http_get(http_port_, "/app/orders?page=2");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 308);
  const auto location = response->header("Location");
  ASSERT_TRUE(location.has_value());
  EXPECT_TRUE(location->starts_with("https://")) << *location;
  EXPECT_TRUE(location->ends_with(":" + std::to_string(gateway_->port()) + "/app/orders?page=2")) << *location;
}

}  // namespace
}  // namespace orderly::testing
