#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

// One email as the channels send it, and its RFC 5322 text. Everything that
// reaches a header goes through header_text() or check_address(), which
// refuse line breaks: user data can never add a header (Bcc: ...) or end the
// header block early.
namespace orderly::notify {

struct Mailbox {
  std::string name;     // display name, may be empty
  std::string address;  // user@host
};

struct Email {
  // The queue message id of the event: it becomes the Message-ID and the
  // maildir file name, so the same event always yields the same email.
  std::string message_id;
  std::string to;  // an address, no display name
  std::string subject;
  std::string body;  // plain UTF-8 text, '\n' line ends
  std::chrono::system_clock::time_point date;
};

// A value that would break out of its header (CR, LF or another control
// character). The message names the header, never the value.
class HeaderInjection : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Not a plain user@host address.
class InvalidAddress : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// `value` ready for header `field`: throws HeaderInjection on control
// characters; non-ASCII text becomes an RFC 2047 encoded word.
[[nodiscard]] std::string header_text(std::string_view field, std::string_view value);

// Throws HeaderInjection on control characters, InvalidAddress unless
// `address` is one local@domain with no spaces, quotes, brackets or commas.
void check_address(std::string_view field, std::string_view address);

// `id` as a token safe in a file name and inside <...@...>: itself when it is
// 1-128 characters of [A-Za-z0-9._-] (not starting with a dot), else its
// bytes in hex.
[[nodiscard]] std::string safe_token(std::string_view id);

// "Tue, 14 Nov 2023 22:13:20 +0000".
[[nodiscard]] std::string rfc5322_date(std::chrono::system_clock::time_point time);

// The whole message: From, To, Subject, Date, Message-ID
// (<token@from-domain>), MIME-Version, Content-Type text/plain; charset=utf-8,
// Content-Transfer-Encoding 8bit, then the body; CRLF line ends throughout.
// Throws HeaderInjection or InvalidAddress.
[[nodiscard]] std::string compose_rfc5322(const Email& email, const Mailbox& from);

}  // namespace orderly::notify
