#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// A test client on one TCP connection to 127.0.0.1. It writes raw bytes (so a
// test can send malformed or slow requests) and parses answers with Beast's
// response parser. Every wait is bounded by a timeout.
class HttpConnection {
 public:
  // `source_address`: the local address to connect from (e.g. "127.0.0.2"); empty lets the kernel choose.
  explicit HttpConnection(std::uint16_t port, std::string_view source_address = {});
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // False when the peer has closed or reset the connection.
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The next response, or nullopt on timeout, close or a parse error.
  // `head` parses the answer to a HEAD request (no body follows).
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                            bool head = false);

  // Reads raw bytes (a streamed answer, say) until `text` has arrived at or
  // after offset `from` of everything received on this connection; returns
  // all of it, or nullopt after `timeout` or a close without it. Do not mix
  // with read_response on one connection.
  std::optional<std::string> read_until(std::string_view text, std::chrono::milliseconds timeout,
                                        std::size_t from = 0);
  // Waits for the server to close: true on EOF or reset, false if the
  // connection is still open after `timeout` (stray bytes are discarded).
  bool wait_closed(std::chrono::milliseconds timeout);

  // Sends a simple request and reads its response.
  std::optional<HttpResponse> request(std::string_view method, std::string_view target,
                                      std::vector<std::pair<std::string, std::string>> headers = {},
                                      std::string_view body = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
std::optional<HttpResponse> http_get(std::uint16_t port, std::string_view target,
                                     std::vector<std::pair<std::string, std::string>> headers = {});

}  // namespace orderly::testing
