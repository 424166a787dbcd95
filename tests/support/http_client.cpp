#include "support/http_client.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace orderly::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::algorithm::iequals(key, name)) return value;
  }
  return std::nullopt;
}

struct HttpConnection::Impl {
  asio::io_context context;
  asio::ip::tcp::socket socket{context};
  beast::flat_buffer buffer;
  std::string received;  // read_until's bytes

  // Runs the started operation until it completes or `timeout` passes; on
  // timeout the socket's operations are cancelled and false is returned.
  bool run_for(std::chrono::milliseconds timeout, const bool& done) {
    context.restart();
    context.run_for(timeout);
    if (done) return true;
    boost::system::error_code ignored;
    socket.cancel(ignored);
    context.restart();
    context.run();
    return false;
  }
};

HttpConnection::HttpConnection(std::uint16_t port, std::string_view source_address) : impl_(std::make_unique<Impl>()) {
  if (!source_address.empty()) {
    // Any 127.0.0.0/8 address is local on Linux: a second "client address" without a network namespace.
    impl_->socket.open(asio::ip::tcp::v4());
    impl_->socket.bind({asio::ip::make_address(std::string(source_address)), 0});
  }
  impl_->socket.connect({asio::ip::make_address("127.0.0.1"), port});
  impl_->socket.set_option(asio::ip::tcp::no_delay(true));
}

HttpConnection::~HttpConnection() = default;

bool HttpConnection::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  bool done = false;
  boost::system::error_code result;
  asio::async_write(impl_->socket, asio::buffer(bytes), [&](boost::system::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  return impl_->run_for(timeout, done) && !result;
}

std::optional<HttpResponse> HttpConnection::read_response(std::chrono::milliseconds timeout, bool head) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(head);
  bool done = false;
  boost::system::error_code result;
  http::async_read(impl_->socket, impl_->buffer, parser, [&](boost::system::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!impl_->run_for(timeout, done) || result) return std::nullopt;
  const auto& message = parser.get();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) response.headers.emplace_back(field.name_string(), field.value());
  response.body = message.body();
  response.keep_alive = message.keep_alive();
  return response;
}

std::optional<std::string> HttpConnection::read_until(std::string_view text, std::chrono::milliseconds timeout,
                                                      std::size_t from) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> chunk{};
  while (impl_->received.size() < from || impl_->received.find(text, from) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    bool done = false;
    boost::system::error_code result;
    std::size_t got = 0;
    impl_->socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t bytes) {
      result = ec;
      got = bytes;
      done = true;
    });
    if (!impl_->run_for(left, done) || result) return std::nullopt;
    impl_->received.append(chunk.data(), got);
  }
  return impl_->received;
}

bool HttpConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> sink{};
  while (std::chrono::steady_clock::now() < deadline) {
    bool done = false;
    boost::system::error_code result;
    impl_->socket.async_read_some(asio::buffer(sink), [&](boost::system::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!impl_->run_for(std::max(left, std::chrono::milliseconds(1)), done)) return false;
    if (result) return true;  // EOF or reset
  }
  return false;
}

std::optional<HttpResponse> HttpConnection::request(std::string_view method, std::string_view target,
                                                    std::vector<std::pair<std::string, std::string>> headers,
                                                    std::string_view body) {
  std::string text = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  text += "\r\n";
  text += body;
  if (!send(text)) return std::nullopt;
  return read_response(std::chrono::seconds(5), method == "HEAD");
}

std::optional<HttpResponse> http_get(std::uint16_t port, std::string_view target,
                                     std::vector<std::pair<std::string, std::string>> headers) {
  HttpConnection connection(port);
  return connection.request("GET", target, std::move(headers));
}

}  // namespace orderly::testing
