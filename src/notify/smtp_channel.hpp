#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "notify/email_channel.hpp"

namespace orderly::notify {

struct SmtpSettings {
  std::string host = "localhost";
  std::uint16_t port = 25;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{30'000};  // the whole conversation, connect included
};

// Scale-out's channel: SMTP through libcurl (EHLO, MAIL FROM, RCPT TO, DATA,
// with libcurl doing the dot-stuffing), one connection per email, bounded by
// the two timeouts. A refusal or a timeout is a DeliveryError naming the
// libcurl error and the server's reply code, never an address. Thread-safe:
// each send uses its own libcurl handle.
class SmtpChannel final : public EmailChannel {
 public:
  SmtpChannel(SmtpSettings settings, Mailbox from);

  [[nodiscard]] std::string_view name() const override { return "smtp"; }
  void send(const Email& email) override;

 private:
  SmtpSettings settings_;
  Mailbox from_;
};

}  // namespace orderly::notify
