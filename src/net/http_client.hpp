#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "net/http_message.hpp"

namespace orderly::net {

// Bounds of an HttpClient. Pools are per event loop and per upstream
// instance, so the connection caps below apply to each (loop, instance) pair.
struct HttpClientSettings {
  std::chrono::milliseconds connect_timeout{1'000};
  // An idle kept-alive connection older than this is closed (upstreams close
  // theirs too; nginx's default is 60 s, ours 60 s: stay below it).
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_idle_per_instance = 64;
  std::size_t max_connections_per_instance = 1'024;
  std::size_t response_header_limit = 64 * 1024;
  std::size_t response_body_limit = 8 * 1024 * 1024;
};

// Why a call got no response. `request_sent` tells a caller deciding on a
// retry whether the upstream may have seen (and acted on) the request: a
// connect failure or an exhausted pool never reached it.
class HttpClientError : public std::runtime_error {
 public:
  enum class Kind {
    connect_failed,   // refused, unreachable, name did not resolve
    connect_timeout,  // no connection within connect_timeout
    pool_exhausted,   // max_connections_per_instance busy on this loop
    timeout,          // no full response within the call's timeout
    closed,           // the upstream closed or reset the connection before a full response
    protocol_error,   // the response is not valid HTTP/1.1
    body_too_large,   // over response_body_limit (or the header over its limit)
  };

  HttpClientError(Kind kind, bool request_sent, const std::string& what)
      : std::runtime_error(what), kind_(kind), request_sent_(request_sent) {}

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] bool request_sent() const { return request_sent_; }

 private:
  Kind kind_;
  bool request_sent_;
};

[[nodiscard]] std::string_view to_string(HttpClientError::Kind kind);

// An asynchronous HTTP/1.1 client with keep-alive connection pools, for the
// gateway's proxying and for service clients (payments -> provider).
//
// Threading: call send() from a coroutine running on an event loop (an
// io_context driven by one thread, as HttpServer's loops are). Each loop has
// its own pools, created on first use; a connection is opened, used and
// closed on one loop and never crosses threads, so the hot path takes no
// lock. Deadlines are plain time stamps checked by one sweep per loop every
// kClientDeadlineSweep, not a timer per call.
//
// A connection is reused after a complete response that allows keep-alive;
// after any error, a timeout or `Connection: close` it is closed. A kept-alive
// connection the upstream closed while it sat idle is noticed before reuse
// (a zero-byte peek), so a request is never written into a dead socket.
//
// Destroy the client after every call has finished; it closes each loop's
// pools on that loop.
class HttpClient {
 public:
  HttpClient(HttpClientSettings settings, const core::Clock& clock);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` (method, target in origin-form, headers, body) to
  // `upstream` and returns the whole response. The client sets Host (when the
  // request has none) and Content-Length; it removes Connection and
  // Transfer-Encoding (the body is sent with a length). `timeout` bounds the
  // whole call, connecting included. A HEAD response has no body. Throws
  // HttpClientError.
  boost::asio::awaitable<Response> send(core::HostPort upstream, Request request, std::chrono::milliseconds timeout);

  [[nodiscard]] const HttpClientSettings& settings() const;

  struct Impl;  // public for the .cpp's helpers only

 private:
  std::shared_ptr<Impl> impl_;
};

// How late a client deadline may fire.
inline constexpr std::chrono::milliseconds kClientDeadlineSweep{5};

}  // namespace orderly::net
