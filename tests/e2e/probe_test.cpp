// `orderly probe URL`, the container image's health check: exit 0 on a 2xx
// answer from a real listener, 1 on another status, a refused connection or
// a listener that never answers (within its timeout), 2 on a URL it refuses.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <gtest/gtest.h>

#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

int probe(std::vector<std::string> args) {
  args.insert(args.begin(), "probe");
  OrderlyProcess probe({.args = std::move(args), .wait_until_started = false});
  const auto code = probe.wait_exit(10s);
  EXPECT_TRUE(code.has_value()) << "orderly probe did not exit";
  return code.value_or(-1);
}

// A bound and listening socket whose connections the kernel accepts but no one answers.
struct SilentListener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  std::uint16_t port = 0;
  SilentListener() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

TEST(Probe, ExitsZeroOnlyOnA2xxAnswer) {
  OrderlyProcess server;
  const auto ops = "http://127.0.0.1:" + std::to_string(server.ops_port());
  EXPECT_EQ(probe({ops + "/healthz"}), 0);
  EXPECT_EQ(probe({"http://127.0.0.1:" + std::to_string(server.port()) + "/readyz"}), 0);
  EXPECT_EQ(probe({ops + "/no-such-path"}), 1);  // 404
}

TEST(Probe, FailsOnARefusedConnectionAndOnASilentListenerWithinItsTimeout) {
  SilentListener silent;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(probe({"http://127.0.0.1:" + std::to_string(silent.port) + "/healthz", "--timeout", "300ms"}), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  ::close(silent.fd);
  silent.fd = ::socket(AF_INET, SOCK_STREAM, 0);  // the port is now closed: refused
  EXPECT_EQ(probe({"http://127.0.0.1:" + std::to_string(silent.port) + "/healthz"}), 1);
}

TEST(Probe, RefusesURLsItDoesNotTake) {
  EXPECT_EQ(probe({"https://127.0.0.1:1/healthz"}), 2);
  EXPECT_EQ(probe({"http://no-port/healthz"}), 2);
  EXPECT_EQ(probe({"http://127.0.0.1:1/a b"}), 2);
  EXPECT_EQ(probe({"http://127.0.0.1:1/", "--timeout", "soon"}), 2);
}

}  // namespace
}  // namespace orderly::testing
