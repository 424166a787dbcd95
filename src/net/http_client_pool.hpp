#pragma once

// Internal to src/net: the per-loop connection pools behind HttpClient. Only
// http_client*.cpp include this.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "net/http_client.hpp"

namespace orderly::net::detail {

using SteadyTime = std::chrono::steady_clock::time_point;

// What every loop's pool of one client shares; immutable after construction.
struct ClientShared {
  HttpClientSettings settings;
  const core::Clock* clock = nullptr;
};

// One TCP connection to one upstream instance. Owned by the instance's idle
// list while idle, by the call using it while busy.
struct ClientConnection {
  explicit ClientConnection(const boost::asio::any_io_executor& loop) : socket(loop) {}

  boost::asio::ip::tcp::socket socket;
  boost::beast::flat_buffer buffer;
  // The current response's parser; kept here rather than in the call's
  // coroutine frame, which then stays small enough for Asio to recycle.
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser;
  SteadyTime deadline = SteadyTime::max();
  SteadyTime idle_since{};
  bool timed_out = false;
  bool received_bytes = false;  // of the current response
  std::size_t requests = 0;  // answered on this connection; >0 means a reused connection
};

// The connections of one loop to one instance.
struct InstanceConnections {
  core::HostPort address;
  std::optional<boost::asio::ip::tcp::endpoint> endpoint;  // resolved once
  std::vector<std::unique_ptr<ClientConnection>> idle;     // most recently used last
  std::size_t open = 0;                                    // idle + busy
};

// One client's connections on one event loop. Touched only from that loop's
// thread, so it needs no lock.
class ClientLoopPool : public std::enable_shared_from_this<ClientLoopPool> {
 public:
  ClientLoopPool(boost::asio::any_io_executor loop, std::shared_ptr<const ClientShared> shared);

  boost::asio::awaitable<Response> send(core::HostPort upstream, Request request, std::chrono::milliseconds timeout);

  // Closes every idle connection and cancels the busy ones (the client is going away).
  void close();

  [[nodiscard]] const boost::asio::any_io_executor& loop() const { return loop_; }
  [[nodiscard]] const ClientShared* shared_key() const { return shared_.get(); }

 private:
  class Lease;
  friend class Lease;

  InstanceConnections& instance(const core::HostPort& upstream);
  boost::asio::awaitable<std::unique_ptr<ClientConnection>> acquire(InstanceConnections& instance, SteadyTime deadline);
  boost::asio::awaitable<Response> exchange(ClientConnection& connection, const core::HostPort& upstream,
                                            const Request& request, bool head, bool& reusable);
  boost::asio::awaitable<void> sweep();
  void ensure_sweeping();
  void close_expired_idle(InstanceConnections& instance);

  boost::asio::any_io_executor loop_;
  std::shared_ptr<const ClientShared> shared_;
  std::vector<std::unique_ptr<InstanceConnections>> instances_;
  std::unordered_set<ClientConnection*> busy_;
  bool closed_ = false;
  bool sweeping_ = false;
  unsigned calls_since_cull_ = 0;
};

// Per-io_context home of the pools (see net/loop_pools.hpp): the pools and
// their sockets die with the io_context, whichever of the client and the
// io_context goes first.
class ClientLoopService final : public boost::asio::execution_context::service {
 public:
  static inline boost::asio::execution_context::id id;

  explicit ClientLoopService(boost::asio::execution_context& context);

  std::pair<std::shared_ptr<ClientLoopPool>, bool> pool(const boost::asio::any_io_executor& loop,
                                                        const std::shared_ptr<const ClientShared>& shared);
  void erase(const ClientShared* shared);

 private:
  void shutdown() override;

  std::unordered_map<const ClientShared*, std::shared_ptr<ClientLoopPool>> pools_;
};

// The request line and header block, with Host and Content-Length added and
// framing headers of the caller dropped. A field whose name or value could
// split the message (CR, LF, NUL) is dropped too.
[[nodiscard]] std::string format_request_head(const Request& request, const core::HostPort& upstream);

}  // namespace orderly::net::detail
