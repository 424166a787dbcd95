// The SMTP channel against a real SMTP implementation: aiosmtpd from Debian
// (python3-aiosmtpd, installed by scripts/bootstrap), run by Debian's own
// python3 on loopback. Its handler accepts mail, refuses one mailbox with a
// 550 at RCPT, and drops the connection after DATA for another. Plain SMTP
// only: the channel has no STARTTLS or AUTH (README, Tests).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "notify/smtp_channel.hpp"

namespace orderly::notify {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Debian's interpreter: python3 on PATH may be another one without the package.
constexpr const char* kPython = "/usr/bin/python3";

constexpr const char* kServerScript = R"PY(
import asyncio, json, os, socket, sys
from aiosmtpd.smtp import SMTP

out = sys.argv[1]
accepted = 0

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        global accepted
        if any(r.startswith("drop@") for r in envelope.rcpt_tos):
            server.transport.abort()  # the connection goes before the reply to DATA
            return "421 never sent"
        accepted += 1
        path = os.path.join(out, "%d.json" % accepted)
        with open(path + ".tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "content": envelope.original_content.decode("utf-8", "replace")}, f)
        os.rename(path + ".tmp", path)
        return "250 OK queued"

async def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), hostname="aiosmtpd.test"), sock=sock)
    print(sock.getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
)PY";

// aiosmtpd in a child process, killed (by its pid) when this goes away; the
// child also dies with the test process (PR_SET_PDEATHSIG), so a killed test
// leaves no server behind.
class AiosmtpdServer {
 public:
  AiosmtpdServer() {
    char folder[] = "/tmp/orderly-aiosmtpd-XXXXXX";
    if (mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp");
    folder_ = folder;
    std::filesystem::create_directory(folder_ / "mail");
    const auto script = (folder_ / "server.py").string();
    std::ofstream(script) << kServerScript;
    const auto mail = (folder_ / "mail").string();

    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(out[1], STDOUT_FILENO);
      execl(kPython, kPython, script.c_str(), mail.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    port_ = read_port(out[0]);
    close(out[0]);
  }
  ~AiosmtpdServer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  AiosmtpdServer(const AiosmtpdServer&) = delete;
  AiosmtpdServer& operator=(const AiosmtpdServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

  // The messages the server accepted (queued with 250), as recorded by its handler.
  [[nodiscard]] std::vector<json::object> accepted() const {
    std::vector<json::object> messages;
    for (int n = 1; std::filesystem::exists(folder_ / "mail" / (std::to_string(n) + ".json")); ++n) {
      std::ifstream file(folder_ / "mail" / (std::to_string(n) + ".json"));
      std::stringstream text;
      text << file.rdbuf();
      messages.push_back(json::parse(text.str()).as_object());
    }
    return messages;
  }

 private:
  // The child prints its port once it listens; bounded wait (10 s) for that line.
  std::uint16_t read_port(int fd) {
    std::string line;
    const auto deadline = SteadyClock::now() + 10s;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      pollfd ready{fd, POLLIN, 0};
      if (left <= 0ms || poll(&ready, 1, static_cast<int>(left.count())) <= 0) {
        throw std::runtime_error("aiosmtpd did not report its port within 10 s");
      }
      char buffer[64];
      const auto got = read(fd, buffer, sizeof buffer);
      if (got <= 0) throw std::runtime_error("aiosmtpd exited before listening (is python3-aiosmtpd installed?)");
      line.append(buffer, static_cast<std::size_t>(got));
    }
    return static_cast<std::uint16_t>(std::stoi(line));
  }

  std::filesystem::path folder_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

Email email_to(std::string to) {
  return Email{"evt-7", std::move(to), "Order ord_7 paid", "Hello,\n.\nA line with only a dot.\n",
               std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
}

SmtpSettings settings_for(std::uint16_t port) {
  SmtpSettings settings;
  settings.host = "127.0.0.1";
  settings.port = port;
  settings.connect_timeout = 2s;
  settings.timeout = 10s;
  return settings;
}

const Mailbox kFrom{"Orderly", "orders@orderly.local"};

TEST(SmtpRealServer, AiosmtpdAcceptsTheMessageWithItsEnvelopeAndBody) {
  const AiosmtpdServer server;
  SmtpChannel channel(settings_for(server.port()), kFrom);
  channel.send(email_to("ada@example.com"));

  const auto accepted = server.accepted();  // the 250 to DATA came after the handler wrote it
  ASSERT_EQ(accepted.size(), 1U);
  EXPECT_EQ(accepted[0].at("mail_from"), "orders@orderly.local");
  EXPECT_EQ(accepted[0].at("rcpt_tos"), (json::array{"ada@example.com"}));
  const std::string content(accepted[0].at("content").as_string());
  EXPECT_NE(content.find("Subject: Order ord_7 paid\r\n"), std::string::npos) << content;
  EXPECT_NE(content.find("Message-ID: <evt-7@orderly.local>\r\n"), std::string::npos) << content;
  EXPECT_NE(content.find("\r\n.\r\nA line with only a dot.\r\n"), std::string::npos)
      << "dot-stuffed by libcurl, unstuffed by aiosmtpd: " << content;
}

TEST(SmtpRealServer, A550AtRcptIsADeliveryErrorWithoutTheAddress) {
  const AiosmtpdServer server;
  SmtpChannel channel(settings_for(server.port()), kFrom);
  try {
    channel.send(email_to("refused@example.com"));
    FAIL() << "a 550 at RCPT must fail the delivery";
  } catch (const DeliveryError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("550"), std::string::npos) << what;
    EXPECT_EQ(what.find("refused@example.com"), std::string::npos) << "no address in errors: " << what;
  }
  EXPECT_TRUE(server.accepted().empty());
}

TEST(SmtpRealServer, ConnectionDroppedBeforeTheReplyToDataIsADeliveryError) {
  const AiosmtpdServer server;
  SmtpChannel channel(settings_for(server.port()), kFrom);
  const auto started = SteadyClock::now();
  EXPECT_THROW(channel.send(email_to("drop@example.com")), DeliveryError)
      << "a message the server never acknowledged is not delivered";
  EXPECT_LT(SteadyClock::now() - started, 10s) << "the drop is noticed, not waited out";
  EXPECT_TRUE(server.accepted().empty());
}

}  // namespace
}  // namespace orderly::notify
