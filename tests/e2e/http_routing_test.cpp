// Routing, problem+json errors, request ids, trace context, keep-alive and
// pipelining, against the real binary.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

class HttpRouting : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new OrderlyProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static OrderlyProcess* server_;
};

OrderlyProcess* HttpRouting::server_ = nullptr;

TEST_F(HttpRouting, UnknownPathIsA404Problem) {
  const auto response = http_get(server_->port(), "/no/such/thing");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->header("Content-Type"), "application/problem+json");
  const auto body = boost::json::parse(response->body).as_object();
  EXPECT_EQ(body.at("status").as_int64(), 404);
  EXPECT_EQ(body.at("type").as_string(), "/problems/not-found");
  EXPECT_TRUE(body.contains("title"));
  EXPECT_TRUE(body.contains("detail"));
}

TEST_F(HttpRouting, WrongMethodIsA405WithAllow) {
  HttpConnection connection(server_->port());
  const auto response = connection.request("DELETE", "/healthz");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("Allow"), "GET, HEAD");
  EXPECT_EQ(response->header("Content-Type"), "application/problem+json");
}

TEST_F(HttpRouting, HeadHasLengthButNoBody) {
  HttpConnection connection(server_->port());
  const auto head = connection.request("HEAD", "/healthz");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), "15");
  EXPECT_TRUE(head->body.empty());
  // The connection is still in sync: no stray body bytes precede the next answer.
  const auto get = connection.request("GET", "/healthz");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->body, R"({"status":"ok"})");
}

TEST_F(HttpRouting, EveryResponseHasARequestId) {
  const auto first = http_get(server_->port(), "/healthz");
  const auto second = http_get(server_->port(), "/nope");
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->header("X-Request-Id") && second->header("X-Request-Id"));
  EXPECT_EQ(first->header("X-Request-Id")->size(), 32U);
  EXPECT_NE(first->header("X-Request-Id"), second->header("X-Request-Id"));
}

TEST_F(HttpRouting, SaneClientRequestIdIsKeptAndUnsafeOneReplaced) {
  const auto kept = http_get(server_->port(), "/healthz", {{"X-Request-Id", "client-id-123"}});
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->header("X-Request-Id"), "client-id-123");

  const auto replaced = http_get(server_->port(), "/healthz", {{"X-Request-Id", "bad id \"with\" quotes"}});
  ASSERT_TRUE(replaced.has_value());
  ASSERT_TRUE(replaced->header("X-Request-Id").has_value());
  EXPECT_EQ(replaced->header("X-Request-Id")->find(' '), std::string::npos);
  EXPECT_EQ(replaced->header("X-Request-Id")->size(), 32U);
}

TEST_F(HttpRouting, TraceparentIsJoinedWithAChildSpan) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent = "00f067aa0ba902b7";
  const auto response = http_get(server_->port(), "/healthz", {{"traceparent", "00-" + trace + "-" + parent + "-01"}});
  ASSERT_TRUE(response.has_value());
  const auto answer = response->header("traceresponse");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->substr(3, 32), trace);
  EXPECT_NE(answer->substr(36, 16), parent);
  EXPECT_EQ(answer->size(), 55U);

  // The access log line names the parent, so the caller's span links to ours.
  const auto line = server_->wait_for_line("\"parent_span_id\":\"" + parent + "\"", 5s);
  ASSERT_TRUE(line.has_value());
  const auto event = boost::json::parse(*line).as_object();
  EXPECT_EQ(event.at("event").as_string(), "http.request");
  EXPECT_EQ(event.at("trace_id").as_string(), trace);
  EXPECT_EQ(event.at("route").as_string(), "/healthz");
  EXPECT_EQ(event.at("status").as_int64(), 200);
  EXPECT_TRUE(event.contains("duration_us"));
  EXPECT_TRUE(event.contains("request_id"));
}

TEST_F(HttpRouting, MalformedTraceparentStartsANewTrace) {
  const auto response = http_get(server_->port(), "/healthz", {{"traceparent", "00-zzzz-01"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  ASSERT_TRUE(response->header("traceresponse").has_value());
  EXPECT_EQ(response->header("traceresponse")->size(), 55U);
}

TEST_F(HttpRouting, KeepAliveServesManyRequestsOnOneConnection) {
  HttpConnection connection(server_->port());
  for (int i = 0; i < 5; ++i) {
    const auto response = connection.request("GET", "/healthz");
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(response->keep_alive);
  }
}

TEST_F(HttpRouting, ConnectionCloseIsHonoured) {
  HttpConnection connection(server_->port());
  const auto response = connection.request("GET", "/healthz", {{"Connection", "close"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(connection.wait_closed(3s));
}

TEST_F(HttpRouting, PipelinedBurstIsCappedAt16) {
  HttpConnection connection(server_->port());
  std::string burst;
  for (int i = 0; i < 20; ++i) burst += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(connection.send(burst));
  int answered = 0;
  bool last_closes = false;
  while (auto response = connection.read_response(3s)) {
    EXPECT_EQ(response->status, 200);
    ++answered;
    last_closes = !response->keep_alive;
  }
  EXPECT_EQ(answered, 16);
  EXPECT_TRUE(last_closes);
}

}  // namespace
}  // namespace orderly::testing
