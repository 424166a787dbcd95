#include "support/counting_upstream.hpp"

#include <atomic>
#include <list>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace orderly::testing {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct CountingUpstream::Impl {
  asio::io_context context{1};
  std::list<tcp::acceptor> acceptors;
  std::string failing_prefix;
  std::atomic<long> requests{0};
  std::atomic<long> failed{0};
  std::thread thread;

  asio::awaitable<void> serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      auto [read_error, read] = co_await http::async_read(socket, buffer, request, use_nothrow);
      if (read_error) co_return;
      requests.fetch_add(1);
      const bool fail = std::string_view(request.target()).starts_with(failing_prefix);
      if (fail) failed.fetch_add(1);
      http::response<http::string_body> response{fail ? http::status::service_unavailable : http::status::ok,
                                                 request.version()};
      response.set(http::field::content_type, "text/plain");
      response.body() = fail ? "failing\n" : "ok\n";
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_error, written] = co_await http::async_write(socket, response, use_nothrow);
      if (write_error || !response.keep_alive()) co_return;
    }
  }

  // `acceptor` is one of `acceptors`, which outlive the loop that runs this.
  asio::awaitable<void> accept(tcp::acceptor* acceptor) {
    while (true) {
      auto [error, socket] = co_await acceptor->async_accept(use_nothrow);
      if (error) co_return;
      asio::co_spawn(context, serve(std::move(socket)), asio::detached);
    }
  }
};

CountingUpstream::CountingUpstream(int listeners, std::string failing_prefix) : impl_(std::make_unique<Impl>()) {
  impl_->failing_prefix = std::move(failing_prefix);
  for (int i = 0; i < listeners; ++i) {
    auto& acceptor =
        impl_->acceptors.emplace_back(impl_->context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::co_spawn(impl_->context, impl_->accept(&acceptor), asio::detached);
  }
  impl_->thread = std::thread([this] { impl_->context.run(); });
}

CountingUpstream::~CountingUpstream() {
  impl_->context.stop();
  impl_->thread.join();
}

std::vector<std::uint16_t> CountingUpstream::ports() const {
  std::vector<std::uint16_t> ports;
  for (const auto& acceptor : impl_->acceptors) ports.push_back(acceptor.local_endpoint().port());
  return ports;
}

long CountingUpstream::requests() const {
  return impl_->requests.load();
}
long CountingUpstream::failed() const {
  return impl_->failed.load();
}

}  // namespace orderly::testing
