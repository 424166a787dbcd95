#include "notify/email.hpp"

#include <sodium.h>

#include <ctime>

namespace orderly::notify {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_ascii(std::string_view text) {
  for (const unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

void refuse_control_characters(std::string_view field, std::string_view value) {
  for (const unsigned char c : value) {
    if (is_control(c)) throw HeaderInjection("header " + std::string(field) + " contains a control character");
  }
}

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("orderly.local") : std::string(address.substr(at + 1));
}

std::string with_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (const char c : text) {
    if (c == '\r') continue;  // normalised below
    if (c == '\n') out += '\r';
    out += c;
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

}  // namespace

std::string header_text(std::string_view field, std::string_view value) {
  refuse_control_characters(field, value);
  if (is_ascii(value)) return std::string(value);
  // RFC 2047: one encoded word per chunk of whole UTF-8 characters, each
  // word under 76 characters, separated by folding white space.
  std::string out;
  std::size_t start = 0;
  constexpr std::size_t kChunk = 45;  // bytes: base64 of 45 is 60, plus 12 of =?UTF-8?B??=
  while (start < value.size()) {
    auto end = std::min(value.size(), start + kChunk);
    while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;  // no split char
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(value.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

void check_address(std::string_view field, std::string_view address) {
  refuse_control_characters(field, address);
  const auto at = address.find('@');
  const bool shaped = at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
                      address.find('@', at + 1) == std::string_view::npos && address.size() <= 254;
  if (!shaped || address.find_first_of(" \t\"<>(),;:[]\\") != std::string_view::npos || !is_ascii(address)) {
    throw InvalidAddress("header " + std::string(field) + " is not a plain user@host address");
  }
}

std::string safe_token(std::string_view id) {
  const bool plain = !id.empty() && id.size() <= 128 && id.front() != '.' &&
                     id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                         std::string_view::npos;
  if (plain) return std::string(id);
  std::string hex(id.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(id.data()), id.size());
  hex.pop_back();
  return "x" + hex.substr(0, 250);
}

std::string rfc5322_date(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string compose_rfc5322(const Email& email, const Mailbox& from) {
  check_address("From", from.address);
  check_address("To", email.to);
  auto from_name = header_text("From", from.name);
  if (is_ascii(from.name) && from.name.find_first_of("\"(),.:;<>@[\\]") != std::string::npos) {
    std::string quoted = "\"";  // a display name with specials must be a quoted-string
    for (const char c : from.name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    from_name = quoted + "\"";
  }
  std::string message;
  message += "From: ";
  if (!from_name.empty()) message += from_name + " ";
  message += "<" + from.address + ">\r\n";
  message += "To: <" + email.to + ">\r\n";
  message += "Subject: " + header_text("Subject", email.subject) + "\r\n";
  message += "Date: " + rfc5322_date(email.date) + "\r\n";
  message += "Message-ID: <" + safe_token(email.message_id) + "@" + domain_of(from.address) + ">\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  message += "Content-Transfer-Encoding: 8bit\r\n";
  message += "\r\n";
  message += with_crlf(email.body);
  return message;
}

}  // namespace orderly::notify
