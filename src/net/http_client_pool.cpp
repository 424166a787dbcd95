#include "net/http_client_pool.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/logging.hpp"

namespace orderly::net::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Kind = HttpClientError::Kind;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
// Idle connections are checked for age every this many sweeps (about 1 s)
// or calls.
constexpr unsigned kIdleCullEvery = 200;

using Parser = http::response_parser<http::string_body>;

// An idle connection the upstream closed (or wrote to, which HTTP/1.1 never
// does unasked) cannot carry a request. One non-blocking peek tells.
bool unusable_after_idle(tcp::socket& socket) {
  char byte = 0;
  const auto got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got >= 0) return true;
  return errno != EAGAIN && errno != EWOULDBLOCK;
}

void close_socket(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// A response's framing is the client's business; callers get the body whole.
bool is_connection_field(std::string_view name) {
  return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
         beast::iequals(name, "Connection") || beast::iequals(name, "Keep-Alive");
}

// Methods a server must treat as safe to repeat (RFC 9110 9.2.2): only these
// are resent when a kept-alive connection turns out dead mid-write.
bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE";
}

HttpClientError failure(Kind kind, bool sent, const core::HostPort& upstream, std::string_view detail) {
  return HttpClientError(kind, sent,
                         std::string(to_string(kind)) + " (" + upstream.to_string() + "): " + std::string(detail));
}

}  // namespace

// A connection in use by one call. On destruction it goes back to the idle
// list when the exchange left it reusable, else it is closed.
class ClientLoopPool::Lease {
 public:
  Lease(ClientLoopPool& pool, InstanceConnections& instance, std::unique_ptr<ClientConnection> connection)
      : pool_(pool), instance_(instance), connection_(std::move(connection)) {
    pool_.busy_.insert(connection_.get());
    pool_.ensure_sweeping();
  }
  ~Lease() {
    pool_.busy_.erase(connection_.get());
    if (reusable_ && !pool_.closed_ && !connection_->timed_out && connection_->socket.is_open() &&
        instance_.idle.size() < pool_.shared_->settings.max_idle_per_instance) {
      connection_->deadline = SteadyTime::max();
      connection_->idle_since = pool_.shared_->clock->monotonic();
      instance_.idle.push_back(std::move(connection_));
      return;
    }
    close_socket(connection_->socket);
    --instance_.open;
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  ClientConnection& connection() { return *connection_; }
  void set_reusable(bool reusable) { reusable_ = reusable; }

 private:
  ClientLoopPool& pool_;
  InstanceConnections& instance_;
  std::unique_ptr<ClientConnection> connection_;
  bool reusable_ = false;
};

ClientLoopPool::ClientLoopPool(asio::any_io_executor loop, std::shared_ptr<const ClientShared> shared)
    : loop_(std::move(loop)), shared_(std::move(shared)) {}

// The sweep runs only while a call is in flight, so an io_context with idle
// connections only (a test's, a tool's run_sync) can run out of work and return.
void ClientLoopPool::ensure_sweeping() {
  if (sweeping_) return;
  sweeping_ = true;
  asio::co_spawn(loop_, [self = shared_from_this()] { return self->sweep(); }, asio::detached);
}

void ClientLoopPool::close_expired_idle(InstanceConnections& instance) {
  const auto now = shared_->clock->monotonic();
  const auto before = instance.idle.size();
  std::erase_if(instance.idle, [&](const auto& connection) {
    if (now - connection->idle_since < shared_->settings.idle_timeout) return false;
    close_socket(connection->socket);
    return true;
  });
  instance.open -= before - instance.idle.size();
}

void ClientLoopPool::close() {
  closed_ = true;
  for (auto& instance : instances_) {
    for (auto& connection : instance->idle) close_socket(connection->socket);
    instance->open -= instance->idle.size();
    instance->idle.clear();
  }
  boost::system::error_code ignored;
  for (auto* connection : busy_) connection->socket.cancel(ignored);
}

InstanceConnections& ClientLoopPool::instance(const core::HostPort& upstream) {
  for (auto& known : instances_) {
    if (known->address.port == upstream.port && known->address.host == upstream.host) return *known;
  }
  auto added = std::make_unique<InstanceConnections>();
  added->address = upstream;
  instances_.push_back(std::move(added));
  return *instances_.back();
}

asio::awaitable<Response> ClientLoopPool::send(core::HostPort upstream, Request request,
                                               std::chrono::milliseconds timeout) {
  auto self = shared_from_this();  // the pool outlives this call even if the client closes it
  if (closed_) throw failure(Kind::connect_failed, false, upstream, "the client is closed");
  const auto& settings = shared_->settings;
  const auto deadline = shared_->clock->monotonic() + timeout;
  const bool head = request.method == "HEAD";
  auto& target = instance(upstream);

  bool may_resend = is_idempotent(request.method);
  if (!target.idle.empty() && ++calls_since_cull_ >= kIdleCullEvery) {
    calls_since_cull_ = 0;
    close_expired_idle(target);
  }
  while (true) {
    std::unique_ptr<ClientConnection> connection;
    while (!target.idle.empty()) {
      auto candidate = std::move(target.idle.back());
      target.idle.pop_back();
      if (!unusable_after_idle(candidate->socket)) {
        connection = std::move(candidate);
        break;
      }
      close_socket(candidate->socket);
      --target.open;
    }
    const bool fresh = connection == nullptr;
    if (fresh) {
      if (target.open >= settings.max_connections_per_instance) {
        throw failure(Kind::pool_exhausted, false, upstream,
                      std::to_string(target.open) + " connections busy on this event loop");
      }
      connection = std::make_unique<ClientConnection>(loop_);
      ++target.open;
    }
    connection->timed_out = false;
    connection->deadline = deadline;
    Lease lease(*this, target, std::move(connection));
    auto& active = lease.connection();

    if (fresh) {
      if (!target.endpoint) {
        boost::system::error_code ec;
        const auto ip = asio::ip::make_address(upstream.host, ec);
        if (!ec) {
          target.endpoint = tcp::endpoint(ip, upstream.port);
        } else {
          tcp::resolver resolver(loop_);
          auto [resolve_error, results] =
              co_await resolver.async_resolve(upstream.host, std::to_string(upstream.port), use_nothrow);
          if (resolve_error || results.empty()) {
            throw failure(Kind::connect_failed, false, upstream, "does not resolve: " + resolve_error.message());
          }
          target.endpoint = results.begin()->endpoint();
          for (const auto& result : results) {
            if (result.endpoint().address().is_v4()) target.endpoint = result.endpoint();
          }
        }
      }
      active.deadline = std::min(deadline, shared_->clock->monotonic() + settings.connect_timeout);
      auto [ec] = co_await active.socket.async_connect(*target.endpoint, use_nothrow);
      if (ec || active.timed_out) {
        throw failure(active.timed_out ? Kind::connect_timeout : Kind::connect_failed, false, upstream,
                      active.timed_out ? "no connection within the timeout" : ec.message());
      }
      active.socket.set_option(tcp::no_delay(true), ec);
      active.deadline = deadline;
      if (active.timed_out) throw failure(Kind::timeout, false, upstream, "deadline passed while connecting");
    }

    bool reusable = false;
    try {
      auto response = co_await exchange(active, upstream, request, head, reusable);
      ++active.requests;
      lease.set_reusable(reusable);
      co_return response;
    } catch (const HttpClientError& error) {
      // A kept-alive connection that died between the peek and the write:
      // the upstream never read the request, so an idempotent one goes again
      // once on a fresh connection.
      if (fresh || !may_resend || error.kind() != Kind::closed || active.received_bytes) throw;
      core::log::debug("http_client.stale_connection_resent", {{"upstream", upstream.to_string()}});
    }
    may_resend = false;
  }
}

asio::awaitable<Response> ClientLoopPool::exchange(ClientConnection& connection, const core::HostPort& upstream,
                                                   const Request& request, bool head, bool& reusable) {
  const auto& settings = shared_->settings;
  auto& socket = connection.socket;
  const auto head_text = format_request_head(request, upstream);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_text), asio::buffer(request.body)};
  auto [write_error, written] = co_await asio::async_write(socket, buffers, use_nothrow);
  if (write_error || connection.timed_out) {
    throw failure(connection.timed_out ? Kind::timeout : Kind::closed, true, upstream,
                  connection.timed_out ? "no response within the timeout" : write_error.message());
  }

  auto& parsing = connection.parser;
  const auto fresh_parser = [&]() -> Parser& {
    auto& parser = parsing.emplace();
    parser.header_limit(static_cast<std::uint32_t>(settings.response_header_limit));
    parser.body_limit(settings.response_body_limit);
    if (head) parser.skip(true);
    return parser;
  };
  auto* parser_ptr = &fresh_parser();
  auto& buffer = connection.buffer;
  connection.received_bytes = false;
  while (!parser_ptr->is_done()) {
    auto& parser = *parser_ptr;
    if (buffer.size() > 0) {
      connection.received_bytes = true;
      beast::error_code ec;
      const auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        throw failure(Kind::body_too_large, true, upstream, ec.message());
      }
      if (ec && ec != http::error::need_more) throw failure(Kind::protocol_error, true, upstream, ec.message());
      if (!ec) {
        // An interim 1xx answer (the upstream ignored our missing Expect): skip it.
        if (parser.is_header_done() && parser.get().result_int() / 100 == 1 && parser.get().result_int() != 101) {
          parser_ptr = &fresh_parser();
        }
        continue;
      }
    }
    auto [read_error, bytes] = co_await socket.async_read_some(buffer.prepare(kReadChunk), use_nothrow);
    if (connection.timed_out) throw failure(Kind::timeout, true, upstream, "no response within the timeout");
    if (read_error == asio::error::eof && parser.is_header_done() && parser.need_eof()) {
      beast::error_code ec;
      parser.put_eof(ec);
      if (ec) throw failure(Kind::protocol_error, true, upstream, ec.message());
      break;
    }
    if (read_error) {
      throw failure(Kind::closed, true, upstream, read_error.message());
    }
    buffer.commit(bytes);
  }

  auto& parser = *parser_ptr;
  auto& message = parser.get();
  Response response;
  response.status = static_cast<int>(message.result_int());
  response.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    if (is_connection_field(field.name_string())) continue;
    response.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  // Bytes after the response were never asked for: the stream cannot be trusted.
  reusable = message.keep_alive() && !parser.need_eof() && buffer.size() == 0;
  co_return response;
}

asio::awaitable<void> ClientLoopPool::sweep() {
  asio::steady_timer timer(loop_);
  unsigned ticks = 0;
  while (!closed_ && !busy_.empty()) {
    timer.expires_after(kClientDeadlineSweep);
    auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec || closed_) break;
    const auto now = shared_->clock->monotonic();
    for (auto* connection : busy_) {
      if (!connection->timed_out && now >= connection->deadline) {
        connection->timed_out = true;
        boost::system::error_code ignored;
        connection->socket.cancel(ignored);
      }
    }
    if (++ticks % kIdleCullEvery != 0) continue;
    for (auto& instance : instances_) close_expired_idle(*instance);
  }
  sweeping_ = false;
}

ClientLoopService::ClientLoopService(asio::execution_context& context) : service(context) {}

std::pair<std::shared_ptr<ClientLoopPool>, bool> ClientLoopService::pool(
    const asio::any_io_executor& loop, const std::shared_ptr<const ClientShared>& shared) {
  auto& slot = pools_[shared.get()];
  if (slot) return {slot, false};
  slot = std::make_shared<ClientLoopPool>(loop, shared);
  return {slot, true};
}

void ClientLoopService::erase(const ClientShared* shared) {
  pools_.erase(shared);
}

void ClientLoopService::shutdown() {
  for (auto& [shared, pool] : pools_) pool->close();
  pools_.clear();
}

}  // namespace orderly::net::detail
