// Deadlines: a slowloris client is cut off at the header timeout while other
// clients are served; idle keep-alive connections are closed; accept() backs
// off when file descriptors run out.
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(HttpDeadlines, SlowlorisIsCutOffAtTheHeaderTimeoutWhileOthersAreServed) {
  OrderlyProcess server({.extra_args = {"--set", "http.header_timeout=1s"}});
  HttpConnection slow(server.port());
  const auto started = Clock::now();
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\n"));

  // Trickle one header byte every 200 ms, as slowloris does, until the server
  // hangs up; the read timeout paces the loop and also detects the close.
  bool closed = false;
  bool other_served = false;
  for (int i = 0; i < 50 && !closed; ++i) {
    if (!slow.send("X")) {
      closed = true;
      break;
    }
    closed = slow.wait_closed(200ms);
    if (i == 2) {
      const auto response = http_get(server.port(), "/healthz");
      other_served = response && response->status == 200;
    }
  }
  const auto elapsed = Clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_TRUE(other_served) << "a normal client was not served while the slow one held its connection";
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 4s);

  const auto metrics = http_get(server.ops_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("orderly_http_timeouts_total{phase=\"header\"} 1\n"), std::string::npos);
}

TEST(HttpDeadlines, ConnectionThatSendsNothingIsClosed) {
  OrderlyProcess server({.extra_args = {"--set", "http.header_timeout=1s"}});
  HttpConnection silent(server.port());
  const auto started = Clock::now();
  EXPECT_TRUE(silent.wait_closed(5s));
  EXPECT_GE(Clock::now() - started, 900ms);
}

TEST(HttpDeadlines, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  OrderlyProcess server({.extra_args = {"--set", "http.idle_timeout=1s"}});
  HttpConnection connection(server.port());
  ASSERT_TRUE(connection.request("GET", "/healthz").has_value());
  const auto started = Clock::now();
  EXPECT_TRUE(connection.wait_closed(5s));
  const auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 4s);
}

TEST(HttpDeadlines, SlowBodyIsCutOffAtTheBodyTimeout) {
  OrderlyProcess server({.extra_args = {"--set", "http.body_timeout=1s"}});
  HttpConnection connection(server.port());
  ASSERT_TRUE(connection.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  const auto started = Clock::now();
  EXPECT_TRUE(connection.wait_closed(5s));
  EXPECT_GE(Clock::now() - started, 900ms);
}

TEST(HttpDeadlines, AcceptBacksOffWhenDescriptorsRunOutAndRecovers) {
  // 64 descriptors: the process's own files plus a few dozen sockets.
  OrderlyProcess server({.max_open_files = 64});
  std::vector<std::unique_ptr<HttpConnection>> hogs;
  for (int i = 0; i < 80; ++i) hogs.push_back(std::make_unique<HttpConnection>(server.port()));
  // Connections past the limit wait in the kernel's backlog; the listener
  // logs the failure and retries with back-off instead of spinning or dying.
  ASSERT_TRUE(server.wait_for_line("\"event\":\"http.accept_failed\"", 10s).has_value());
  // Back-off, not a hot loop: the wait doubles from 10 ms to 1 s, so a second
  // of exhaustion logs about a dozen failures per loop, a spinning loop thousands.
  ASSERT_TRUE(server.wait_for_line("\"backoff_ms\":640", 10s).has_value());
  std::size_t failures = 0;
  for (const auto& line : server.stdout_lines()) failures += line.find("http.accept_failed") != std::string::npos;
  EXPECT_LT(failures, 100U);
  hogs.clear();

  // Descriptors come back as the server closes the hogs' sessions; retry,
  // bounded in count and in time, until a request gets through.
  std::optional<HttpResponse> response;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!(response && response->status == 200) && std::chrono::steady_clock::now() < deadline) {
    HttpConnection connection(server.port());
    response = connection.request("GET", "/healthz");
  }
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(server.wait_exit(0ms).has_value()) << "server died";
}

}  // namespace
}  // namespace orderly::testing
