// Process lifecycle: start-up errors exit 2 with one clear line, SIGTERM
// drains (an in-flight request completes, idle connections close, exit 0),
// and every subcommand explains itself with --help.
#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

// Runs the binary with `args` to completion; returns {exit code, stderr}.
std::pair<int, std::string> run_to_exit(std::vector<std::string> args, std::vector<std::string> environment = {}) {
  OrderlyProcess process({.args = std::move(args), .environment = std::move(environment), .wait_until_started = false});
  const auto code = process.wait_exit(20s);
  EXPECT_TRUE(code.has_value()) << "process did not exit";
  return {code.value_or(-1), process.stderr_text()};
}

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Lifecycle, UnknownConfigKeyInAFileExits2NamingTheKey) {
  char path[] = "/tmp/orderly-config-XXXXXX.yaml";
  const int fd = mkstemps(path, 5);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "http:\n  idel_timeout: 5s\n";
  const auto [code, error] = run_to_exit({"serve", "--config", path});
  std::remove(path);
  EXPECT_EQ(code, 2);
  EXPECT_NE(error.find("unknown key 'http.idel_timeout'"), std::string::npos) << error;
  EXPECT_EQ(count_lines(error), 1) << error;
  EXPECT_EQ(error.find("terminate"), std::string::npos) << error;
}

TEST(Lifecycle, BadValueFromTheEnvironmentExits2NamingTheVariable) {
  const auto [code, error] = run_to_exit({"serve"}, {"ORDERLY_HTTP_IDLE_TIMEOUT=soon"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(error.find("ORDERLY_HTTP_IDLE_TIMEOUT"), std::string::npos) << error;
  EXPECT_EQ(count_lines(error), 1) << error;
}

TEST(Lifecycle, BadFlagValueExits2) {
  const auto [code, error] = run_to_exit({"serve", "--listen", "nowhere"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(error.find("flag --listen"), std::string::npos) << error;
}

TEST(Lifecycle, PortInUseExits2NamingThePort) {
  OrderlyProcess first;
  const auto port = std::to_string(first.port());
  const auto [code, error] = run_to_exit({"serve", "--listen", "127.0.0.1:" + port, "--ops-listen", "127.0.0.1:0",
                                          "--data-dir", first.data_dir() + "/second"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(error.find("listen 127.0.0.1:" + port + ": port already in use"), std::string::npos) << error;
  EXPECT_EQ(count_lines(error), 1) << error;
}

TEST(Lifecycle, HelpAndVersion) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"serve", "--help"}, {"config", "--help"}}) {
    OrderlyProcess process({.args = args, .wait_until_started = false});
    EXPECT_EQ(process.wait_exit(10s), 0);
  }
  OrderlyProcess version({.args = {"--version"}, .wait_until_started = false});
  EXPECT_EQ(version.wait_exit(10s), 0);
  EXPECT_NE(version.stdout_lines().at(0).find("orderly "), std::string::npos);
}

TEST(Lifecycle, PrintDefaultsShowsEverySettingAndIsLoadable) {
  OrderlyProcess print({.args = {"config", "--print-defaults"}, .wait_until_started = false});
  ASSERT_EQ(print.wait_exit(10s), 0);
  std::string text;
  for (const auto& line : print.stdout_lines()) text += line + "\n";
  EXPECT_NE(text.find("listen: \"0.0.0.0:8080\""), std::string::npos);
  EXPECT_NE(text.find("header_timeout"), std::string::npos);

  char path[] = "/tmp/orderly-defaults-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  OrderlyProcess check({.args = {"config", "--config", path}, .wait_until_started = false});
  EXPECT_EQ(check.wait_exit(10s), 0) << check.stderr_text();
  std::remove(path);
}

TEST(Lifecycle, SigtermLetsAnInFlightRequestFinishAndExitsZero) {
  // One event loop: once the idle connection is closed, that loop has begun
  // draining, so the in-flight answer must carry Connection: close.
  OrderlyProcess server({.extra_args = {"--set", "threads=1"}});
  HttpConnection idle(server.port());
  ASSERT_TRUE(idle.request("GET", "/healthz").has_value());

  // A request whose body is half sent is in flight. The first request makes
  // sure the server has accepted this connection before the signal.
  HttpConnection in_flight(server.port());
  ASSERT_TRUE(in_flight.request("GET", "/healthz").has_value());
  ASSERT_TRUE(in_flight.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"));

  server.send_signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_line("\"event\":\"server.draining\"", 10s).has_value());

  EXPECT_TRUE(idle.wait_closed(5s)) << "idle keep-alive connection not closed on drain";
  ASSERT_TRUE(in_flight.send("world"));
  const auto response = in_flight.read_response(5s);
  ASSERT_TRUE(response.has_value()) << "in-flight request was dropped";
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->keep_alive) << "a draining server must close after the response";

  EXPECT_EQ(server.wait_exit(10s), 0);
  EXPECT_TRUE(server.wait_for_line("\"event\":\"server.stopped\",\"clean\":true", 1s).has_value());
}

TEST(Lifecycle, DrainDelayKeepsServingWhileReadinessSaysDraining) {
  OrderlyProcess server({.extra_args = {"--set", "http.drain_delay=3s"}});
  ASSERT_EQ(http_get(server.port(), "/readyz")->status, 200);
  server.send_signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_line("\"event\":\"server.draining\"", 5s).has_value());
  const auto ready = http_get(server.port(), "/readyz");
  ASSERT_TRUE(ready.has_value()) << "the listener must stay open during the drain delay";
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("draining"), std::string::npos) << ready->body;
  const auto alive = http_get(server.port(), "/healthz");
  ASSERT_TRUE(alive.has_value());
  EXPECT_EQ(alive->status, 200);
  EXPECT_EQ(server.wait_exit(15s), 0);
}

TEST(Lifecycle, DrainGivesUpAfterTheGracePeriodAndStillExitsZero) {
  OrderlyProcess server({.extra_args = {"--set", "http.drain_grace=500ms"}});
  HttpConnection stuck(server.port());
  ASSERT_TRUE(stuck.request("GET", "/healthz").has_value());  // accepted before the signal
  ASSERT_TRUE(stuck.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhel"));
  const auto signalled = std::chrono::steady_clock::now();
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(10s), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, 500ms) << "the stuck request got no grace period";
  EXPECT_TRUE(server.wait_for_line("\"event\":\"server.drain_incomplete\"", 1s).has_value());
}

}  // namespace
}  // namespace orderly::testing
