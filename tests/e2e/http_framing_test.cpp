// Limits and framing on the wire: 431, 413, and 400-and-close for every
// ambiguous way of saying how long a request is (request smuggling defences).
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

class HttpFraming : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new OrderlyProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // Sends `request` on a new connection, expects `status` as a problem, then a close.
  static void expect_refused_and_closed(const std::string& request, int status) {
    HttpConnection connection(server_->port());
    ASSERT_TRUE(connection.send(request));
    const auto response = connection.read_response();
    ASSERT_TRUE(response.has_value()) << "no response to:\n" << request;
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->header("Content-Type"), "application/problem+json");
    EXPECT_TRUE(response->header("X-Request-Id").has_value());
    EXPECT_FALSE(response->keep_alive);
    EXPECT_TRUE(connection.wait_closed(3s)) << "connection left open after " << status;
  }

  static OrderlyProcess* server_;
};

OrderlyProcess* HttpFraming::server_ = nullptr;

TEST_F(HttpFraming, HeadersOver16KiBGet431) {
  const std::string big(17 * 1024, 'a');
  expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", 431);
}

TEST_F(HttpFraming, HeadersJustUnderTheLimitAreServed) {
  HttpConnection connection(server_->port());
  const auto response = connection.request("GET", "/healthz", {{"X-Big", std::string(15 * 1024, 'a')}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpFraming, DeclaredBodyOver1MiBGets413BeforeItIsSent) {
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n", 413);
}

TEST_F(HttpFraming, ChunkedBodyOver1MiBGets413) {
  const std::size_t size = 1024 * 1024 + 10;
  char hex[32];
  std::snprintf(hex, sizeof hex, "%zx", size);
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                std::string(hex) + "\r\n" + std::string(size, 'b') + "\r\n0\r\n\r\n",
                            413);
}

TEST_F(HttpFraming, ContentLengthAndTransferEncodingTogetherGet400) {
  expect_refused_and_closed(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
  expect_refused_and_closed(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(HttpFraming, TwoDifferentContentLengthsGet400) {
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                            400);
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400);
}

TEST_F(HttpFraming, MalformedChunkGets400) {
  expect_refused_and_closed(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400);
  // A chunk longer than its declared size.
  expect_refused_and_closed(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", 400);
}

TEST_F(HttpFraming, TransferEncodingWithoutChunkedGets400) {
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400);
}

// Issue 18's edges: Beast reads both as chunked (it looks at the last coding
// only); a proxy in front may not, so they are refused before any body byte.
TEST_F(HttpFraming, IdentityThenChunkedAndObsFoldedTransferEncodingGet400) {
  expect_refused_and_closed(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", 400);
  expect_refused_and_closed(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity,\r\n chunked\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(HttpFraming, GarbageRequestLineGets400) {
  expect_refused_and_closed("HELLO THERE\r\nHost: x\r\n\r\n", 400);
}

TEST_F(HttpFraming, RepeatedEqualContentLengthIsAccepted) {
  // RFC 9110 8.6 allows identical repeats; refusing them would break honest clients.
  HttpConnection connection(server_->port());
  ASSERT_TRUE(
      connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"));
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->keep_alive);
}

// The value of one series in the ops listener's /metrics, 0 when absent.
double metric_value(std::uint16_t ops_port, const std::string& series) {
  const auto metrics = http_get(ops_port, "/metrics");
  if (!metrics) return -1;
  const auto at = metrics->body.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::stod(metrics->body.substr(at + series.size() + 2));
}

TEST_F(HttpFraming, ProtocolErrorsAreCounted) {
  const std::string series = "orderly_http_protocol_errors_total{reason=\"malformed_request\"}";
  const auto before = metric_value(server_->ops_port(), series);
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", 400);
  EXPECT_EQ(metric_value(server_->ops_port(), series), before + 1);
}

TEST_F(HttpFraming, MissingOrDoubleHostGets400) {
  expect_refused_and_closed("GET /healthz HTTP/1.1\r\n\r\n", 400);
  expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

TEST_F(HttpFraming, AbsoluteFormTargetIsServed) {
  HttpConnection connection(server_->port());
  ASSERT_TRUE(connection.send("GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpFraming, Http10WithoutHostIsServedAndClosed) {
  HttpConnection connection(server_->port());
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.0\r\n\r\n"));
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(connection.wait_closed(3s));
}

}  // namespace
}  // namespace orderly::testing
