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
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                            400);
  // A chunk longer than its declared size.
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n",
                            400);
}

TEST_F(HttpFraming, TransferEncodingWithoutChunkedGets400) {
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc", 400);
}

TEST_F(HttpFraming, GarbageRequestLineGets400) {
  expect_refused_and_closed("HELLO THERE\r\n\r\n", 400);
}

TEST_F(HttpFraming, RepeatedEqualContentLengthIsAccepted) {
  // RFC 9110 8.6 allows identical repeats; refusing them would break honest clients.
  HttpConnection connection(server_->port());
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"));
  const auto response = connection.read_response();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->keep_alive);
}

TEST_F(HttpFraming, ProtocolErrorsAreCounted) {
  expect_refused_and_closed("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", 400);
  const auto metrics = http_get(server_->ops_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("orderly_http_protocol_errors_total{reason=\"malformed_request\"}"), std::string::npos);
}

}  // namespace
}  // namespace orderly::testing
