// The SMTP channel delivers through libcurl to a small SMTP sink the test
// runs on loopback: one message, the right envelope and headers. A real SMTP
// server (aiosmtpd) is in smtp_real_server_test.cpp.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "notify/smtp_channel.hpp"

namespace orderly::notify {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// What one SMTP session carried.
struct SmtpSession {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;  // the message, dot-unstuffed, without the final "."
};

asio::awaitable<void> reply(tcp::socket& socket, std::string line) {
  co_await asio::async_write(socket, asio::buffer(line), asio::use_awaitable);
}

// A minimal SMTP server for tests: answers one client at a time, records
// each completed session. Refuses every recipient when told to.
class SmtpSink {
 public:
  explicit SmtpSink(bool refuse_recipients = false) : refuse_recipients_(refuse_recipients) {
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor_.listen();
    asio::co_spawn(context_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~SmtpSink() {
    context_.stop();
    thread_.join();
  }

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::optional<SmtpSession> wait_for_session(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [this] { return !sessions_.empty(); })) return std::nullopt;
    return sessions_.front();
  }
  std::size_t sessions() {
    const std::lock_guard lock(mutex_);
    return sessions_.size();
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(asio::use_awaitable);
      try {
        co_await serve(socket);
      } catch (const std::exception&) {
        // the client went away: wait for the next one
      }
    }
  }

  asio::awaitable<void> serve(tcp::socket& socket) {
    asio::streambuf buffer;
    SmtpSession session;
    bool in_data = false;
    co_await reply(socket, "220 sink.test ESMTP\r\n");
    for (;;) {
      const auto length = co_await asio::async_read_until(socket, buffer, "\r\n", asio::use_awaitable);
      std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + length);
      buffer.consume(length);
      if (in_data) {
        if (line == ".\r\n") {
          in_data = false;
          {
            const std::lock_guard lock(mutex_);
            sessions_.push_back(session);
          }
          changed_.notify_all();
          co_await reply(socket, "250 2.0.0 queued\r\n");
        } else {
          session.data += line.starts_with("..") ? line.substr(1) : line;
        }
        continue;
      }
      const auto verb = line.substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") {
        co_await reply(socket, "250 sink.test\r\n");
      } else if (line.starts_with("MAIL FROM:")) {
        session.mail_from = line.substr(10, line.size() - 12);
        co_await reply(socket, "250 2.1.0 ok\r\n");
      } else if (line.starts_with("RCPT TO:")) {
        if (refuse_recipients_) {
          co_await reply(socket, "550 5.1.1 no such user\r\n");
        } else {
          session.recipients.push_back(line.substr(8, line.size() - 10));
          co_await reply(socket, "250 2.1.5 ok\r\n");
        }
      } else if (verb == "DATA") {
        in_data = true;
        co_await reply(socket, "354 go ahead\r\n");
      } else if (verb == "QUIT") {
        co_await reply(socket, "221 bye\r\n");
        co_return;
      } else {
        co_await reply(socket, "250 ok\r\n");
      }
    }
  }

  bool refuse_recipients_;
  asio::io_context context_;
  tcp::acceptor acceptor_{context_};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SmtpSession> sessions_;
};

Email sample_email() {
  return Email{"evt-9", "ada@example.com", "Order ord_9 shipped", "Hello Ada,\n.\nA line with only a dot.\n",
               std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
}

SmtpSettings settings_for(std::uint16_t port) {
  SmtpSettings settings;
  settings.host = "127.0.0.1";
  settings.port = port;
  settings.connect_timeout = 2s;
  settings.timeout = 5s;
  return settings;
}

const Mailbox kFrom{"Orderly", "orders@orderly.local"};

TEST(SmtpChannel, DeliversOneMessageWithEnvelopeAndHeaders) {
  SmtpSink sink;
  SmtpChannel channel(settings_for(sink.port()), kFrom);
  channel.send(sample_email());

  const auto session = sink.wait_for_session(5s);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->mail_from, "<orders@orderly.local>");
  ASSERT_EQ(session->recipients.size(), 1U);
  EXPECT_EQ(session->recipients[0], "<ada@example.com>");
  EXPECT_NE(session->data.find("From: Orderly <orders@orderly.local>\r\n"), std::string::npos) << session->data;
  EXPECT_NE(session->data.find("To: <ada@example.com>\r\n"), std::string::npos);
  EXPECT_NE(session->data.find("Subject: Order ord_9 shipped\r\n"), std::string::npos);
  EXPECT_NE(session->data.find("Message-ID: <evt-9@orderly.local>\r\n"), std::string::npos);
  EXPECT_NE(session->data.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(session->data.find("\r\n.\r\nA line with only a dot.\r\n"), std::string::npos)
      << "libcurl dot-stuffs, the server unstuffs: the body arrives intact";
  EXPECT_EQ(sink.sessions(), 1U);
}

TEST(SmtpChannel, RefusedRecipientIsADeliveryErrorWithoutTheAddress) {
  SmtpSink sink(true);
  SmtpChannel channel(settings_for(sink.port()), kFrom);
  try {
    channel.send(sample_email());
    FAIL() << "a 550 must fail the delivery";
  } catch (const DeliveryError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("550"), std::string::npos) << what;
    EXPECT_EQ(what.find("ada@example.com"), std::string::npos) << "no address in errors: " << what;
  }
  EXPECT_EQ(sink.sessions(), 0U);
}

TEST(SmtpChannel, NobodyListeningFailsFast) {
  std::uint16_t closed_port = 0;
  {
    asio::io_context context;
    tcp::acceptor probe(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    closed_port = probe.local_endpoint().port();
  }
  SmtpChannel channel(settings_for(closed_port), kFrom);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(channel.send(sample_email()), DeliveryError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST(SmtpChannel, HeaderInjectionNeverConnects) {
  SmtpSink sink;
  SmtpChannel channel(settings_for(sink.port()), kFrom);
  auto email = sample_email();
  email.to = "ada@example.com>\r\nRCPT TO:<everyone@example.com";
  EXPECT_THROW(channel.send(email), HeaderInjection);
  EXPECT_FALSE(sink.wait_for_session(200ms));
}

}  // namespace
}  // namespace orderly::notify
