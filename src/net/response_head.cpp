#include "net/response_head.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

namespace orderly::net {
namespace {

// Byte classes as tables: every header of every response is checked.
constexpr std::array<bool, 256> make_token_table() {
  // tchar from RFC 9110 5.6.2
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr auto kTokenChars = make_token_table();

bool is_token(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return kTokenChars[static_cast<unsigned char>(c)]; });
}

bool is_safe_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

ResponseHead format_response_head(const Response& response, unsigned version, bool close, const std::string& date) {
  namespace http = boost::beast::http;
  ResponseHead head;
  auto& out = head.text;
  out.reserve(256);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, static_cast<std::size_t>(response.status));
  out += ' ';
  const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(response.status)));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (boost::beast::iequals(name, "Content-Length") || boost::beast::iequals(name, "Connection") ||
        boost::beast::iequals(name, "Transfer-Encoding")) {
      continue;
    }
    if (!is_token(name) || !is_safe_value(value)) {
      ++head.dropped;
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Server: orderly\r\nDate: ";
  out += date;
  out += "\r\n";
  if (close) {
    out += "Connection: close\r\n";
  } else if (version == 10) {
    out += "Connection: keep-alive\r\n";
  }
  if (response.stream) {
    // Its length is unknown: chunked in HTTP/1.1; an HTTP/1.0 body ends at the close.
    if (version != 10 && !is_bodiless(response.status)) out += "Transfer-Encoding: chunked\r\n";
  } else if (!is_bodiless(response.status)) {
    out += "Content-Length: ";
    append_number(out, response.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  return head;
}

const std::string& http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    const auto length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached.assign(text, length);
    cached_second = now;
  }
  return cached;
}

}  // namespace orderly::net
