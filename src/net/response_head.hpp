#pragma once

#include <cstddef>
#include <string>

#include "net/http_message.hpp"

namespace orderly::net {

// Formats the status line and header block of a response:
//   HTTP/1.1 200 OK\r\n<handler headers>Server, Date, [Connection], Content-Length\r\n\r\n
//
// Why not Beast's serializer: its generic buffer sequences cost a quarter of
// the plaintext request path (perf on bench/http_plaintext.sh: 100k -> 128k
// requests/s without it). Requests are still parsed by Beast; this only
// prints fields the server itself chose.
//
// A header whose name is not an RFC 9110 token, or whose value holds CR, LF or
// NUL, is dropped (and counted in `dropped`), so no handler can split a
// response. Content-Length, Transfer-Encoding and Connection are the writer's
// own; a handler's copies are ignored. A streamed response (Response::stream)
// gets Transfer-Encoding: chunked instead of a Content-Length.
struct ResponseHead {
  std::string text;
  std::size_t dropped = 0;
};

// 1xx, 204 and 304 responses end at their header block (RFC 9110 8.6, 15.4.5):
// no Content-Length, and no body is written even if a handler set one.
[[nodiscard]] constexpr bool is_bodiless(int status) {
  return status < 200 || status == 204 || status == 304;
}

[[nodiscard]] ResponseHead format_response_head(const Response& response, unsigned version, bool close,
                                                const std::string& date);

// The Date header value for now, formatted at most once a second per thread.
[[nodiscard]] const std::string& http_date_now();

}  // namespace orderly::net
