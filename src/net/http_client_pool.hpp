#pragma once

// Internal to src/net: the per-loop connection pools behind HttpClient. Only
// http_client*.cpp include this.

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/intrusive/list.hpp>

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

// A response parser whose header fields live in its connection's arena.
using ResponseParser =
    boost::beast::http::response_parser<boost::beast::http::string_body, std::pmr::polymorphic_allocator<char>>;

// One TCP connection to one upstream instance. Owned by the instance's idle
// list while idle, by the call using it while busy (and then linked into its
// pool's busy list).
struct ClientConnection {
  explicit ClientConnection(const boost::asio::any_io_executor& loop) : socket(loop) {}

  // A fresh parser for the next response. The previous response's fields go
  // first, so the arena starts over and a usual header block costs no malloc.
  ResponseParser& next_parser() {
    parser.reset();
    fields_arena.release();
    return parser.emplace(std::piecewise_construct, std::tuple<>(),
                          std::make_tuple(std::pmr::polymorphic_allocator<char>(&fields_arena)));
  }

  boost::asio::ip::tcp::socket socket;
  boost::beast::flat_buffer buffer;
  std::string request_head;  // the request line and header block being written; its capacity is kept
  // The current response's parser; kept here rather than in the call's
  // coroutine frame, which then stays small enough for Asio to recycle.
  std::optional<ResponseParser> parser;
  std::array<std::byte, 2048> fields_storage;
  std::pmr::monotonic_buffer_resource fields_arena{fields_storage.data(), fields_storage.size()};
  boost::intrusive::list_member_hook<> busy_hook;
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

  // `upstream` and `request` must outlive the call (HttpClient keeps them).
  boost::asio::awaitable<Response> send(const core::HostPort& upstream, const Request& request,
                                        std::chrono::milliseconds timeout);

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
  boost::intrusive::list<ClientConnection,
                         boost::intrusive::member_hook<ClientConnection, boost::intrusive::list_member_hook<>,
                                                       &ClientConnection::busy_hook>>
      busy_;  // connections leased to calls; linked in place, so leasing allocates nothing
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

// Writes into `out` (replacing what it held, keeping its capacity) the
// request line and header block, with Host and Content-Length added and
// framing headers of the caller dropped. A field whose name or value could
// split the message (CR, LF, NUL) is dropped too.
void format_request_head(const Request& request, const core::HostPort& upstream, std::string& out);

}  // namespace orderly::net::detail
