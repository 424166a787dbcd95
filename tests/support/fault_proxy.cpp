#include "support/fault_proxy.hpp"

#include <array>
#include <atomic>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace orderly::testing {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// Copies bytes from `from` to `to` until either side ends, waiting `delay`
// (read at each chunk) before each write when given.
asio::awaitable<void> pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
                           const std::atomic<long>* delay_ms) {
  std::array<char, 16 * 1024> chunk{};
  asio::steady_timer timer(from->get_executor());
  while (true) {
    auto [read_error, bytes] = co_await from->async_read_some(asio::buffer(chunk), use_nothrow);
    if (read_error) break;
    if (delay_ms != nullptr && delay_ms->load() > 0) {
      timer.expires_after(std::chrono::milliseconds(delay_ms->load()));
      co_await timer.async_wait(use_nothrow);
    }
    auto [write_error, written] = co_await asio::async_write(*to, asio::buffer(chunk.data(), bytes), use_nothrow);
    if (write_error) break;
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

}  // namespace

struct FaultProxy::Impl {
  asio::io_context context{1};
  tcp::acceptor acceptor{context, {asio::ip::make_address("127.0.0.1"), 0}};
  tcp::endpoint target;
  std::atomic<long> latency_ms{0};
  std::thread thread;

  asio::awaitable<void> accept() {
    while (true) {
      auto [ec, client] = co_await acceptor.async_accept(use_nothrow);
      if (ec) co_return;
      auto downstream = std::make_shared<tcp::socket>(std::move(client));
      auto upstream = std::make_shared<tcp::socket>(context);
      auto [connect_error] = co_await upstream->async_connect(target, use_nothrow);
      if (connect_error) continue;  // the client sees its connection closed
      asio::co_spawn(context, pipe(downstream, upstream, nullptr), asio::detached);
      asio::co_spawn(context, pipe(upstream, downstream, &latency_ms), asio::detached);
    }
  }
};

FaultProxy::FaultProxy(std::uint16_t target_port) : impl_(std::make_unique<Impl>()) {
  impl_->target = tcp::endpoint(asio::ip::make_address("127.0.0.1"), target_port);
  asio::co_spawn(impl_->context, impl_->accept(), asio::detached);
  impl_->thread = std::thread([this] { impl_->context.run(); });
}

FaultProxy::~FaultProxy() {
  impl_->context.stop();
  impl_->thread.join();
}

std::uint16_t FaultProxy::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void FaultProxy::set_latency(std::chrono::milliseconds latency) {
  impl_->latency_ms.store(latency.count());
}

}  // namespace orderly::testing
