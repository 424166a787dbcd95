#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "notify/email.hpp"

namespace orderly::notify {

// A delivery that did not happen; the message is fit for logs and the
// dead-letter queue's last_error (it never holds an address or a body).
class DeliveryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where emails go: a maildir in embedded mode, an SMTP server in scale-out.
// send() blocks until the email is handed over (written and synced, or
// accepted by the server) and throws DeliveryError, HeaderInjection or
// InvalidAddress; run it off the HTTP event loops (the email worker has its
// own threads). Implementations are thread-safe.
class EmailChannel {
 public:
  virtual ~EmailChannel() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;  // "maildir", "smtp": a metric label
  virtual void send(const Email& email) = 0;
};

}  // namespace orderly::notify
