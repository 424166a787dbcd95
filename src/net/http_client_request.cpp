#include <algorithm>
#include <charconv>

#include <boost/beast/core/string.hpp>

#include "net/http_client_pool.hpp"

namespace orderly::net::detail {
namespace {

bool is_safe(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Framing is the client's own: the body always goes with a Content-Length, at
// once (so an Expect: 100-continue of the caller's client is not passed on).
bool is_framing(std::string_view name) {
  return boost::beast::iequals(name, "Content-Length") || boost::beast::iequals(name, "Transfer-Encoding") ||
         boost::beast::iequals(name, "Connection") || boost::beast::iequals(name, "Expect");
}

}  // namespace

std::string format_request_head(const Request& request, const core::HostPort& upstream) {
  std::string out;
  out.reserve(256 + request.target.size());
  out += request.method;
  out += ' ';
  out += request.target.empty() ? std::string_view("/") : std::string_view(request.target);
  out += " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    if (is_framing(name) || name.empty() || !is_safe(name) || !is_safe(value) ||
        name.find_first_of(" :\t") != std::string::npos) {
      continue;
    }
    has_host = has_host || boost::beast::iequals(name, "Host");
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!has_host) {
    out += "Host: ";
    out += upstream.to_string();
    out += "\r\n";
  }
  // A body, or a method whose requests usually carry one, gets a length; a
  // GET without a body stays without (some servers refuse GET with a length).
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    char digits[24];
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, request.body.size());
    out += "Content-Length: ";
    out.append(digits, end);
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace orderly::net::detail
