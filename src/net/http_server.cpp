#include "net/http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "net/session.hpp"

namespace orderly::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kFirstBackoff = std::chrono::milliseconds(10);
constexpr auto kMaxBackoff = std::chrono::seconds(1);

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Errors that mean "out of a resource": the listener waits and retries
// instead of spinning on accept() (Beast's advice; nginx does the same).
bool is_resource_exhaustion(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
         ec.value() == ENFILE;
}

std::string bind_failure(const std::string& key, const core::HostPort& address, const boost::system::error_code& ec) {
  const auto reason = ec == asio::error::address_in_use ? std::string("port already in use") : ec.message();
  return key + " " + address.to_string() + ": " + reason;
}

tcp::endpoint endpoint_of(const std::string& key, const core::HostPort& address) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (ec) throw BindError(key + " " + address.to_string() + ": not an IP address");
  return {ip, address.port};
}

// SO_REUSEPORT lets a second process with the same user bind the same port
// silently. A plain bind first (SO_REUSEADDR only, which ignores TIME_WAIT but
// not a live listener) detects a port that is really taken.
void check_port_free(const std::string& key, const core::HostPort& address, const tcp::endpoint& endpoint) {
  asio::io_context probe_context;
  tcp::acceptor probe(probe_context);
  boost::system::error_code ec;
  probe.open(endpoint.protocol(), ec);
  if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  if (ec) throw BindError(bind_failure(key, address, ec));
}

// TLS 1.2 and 1.3 only, no compression (CRIME), the server's cipher order.
std::unique_ptr<asio::ssl::context> make_tls_context(const std::string& key, const TlsFiles& files) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                           asio::ssl::context::single_dh_use,
                       ec);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_options(context->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!ec) context->use_certificate_chain_file(files.certificate_file, ec);
  if (ec) throw BindError(key + ": TLS certificate " + files.certificate_file + ": " + ec.message());
  context->use_private_key_file(files.private_key_file, asio::ssl::context::pem, ec);
  if (ec) throw BindError(key + ": TLS private key " + files.private_key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw BindError(key + ": TLS private key " + files.private_key_file + " does not match the certificate");
  }
  return context;
}

}  // namespace

struct HttpServer::Impl {
  struct Loop {
    detail::LoopState state;  // declared before the context: outlives the sessions it destroys
    asio::io_context context{1};
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::thread thread;
  };

  struct Listener {
    std::string key;
    core::HostPort bound;
  };

  Impl(unsigned threads, const core::HttpConfig& limits, core::metrics::Registry& registry, const core::Clock& clock)
      : metrics(registry), shared{limits, metrics, clock} {
    for (unsigned i = 0; i < std::max(1U, threads); ++i) loops.push_back(std::make_unique<Loop>());
  }

  // The boundary of a listener: an exception here would silently end accepting.
  asio::awaitable<void> accept_loop(Loop& loop, tcp::acceptor& acceptor, const Pipeline& pipeline,
                                    asio::ssl::context* tls) {
    try {
      co_await accept_connections(loop, acceptor, pipeline, tls);
    } catch (const std::exception& error) {
      core::log::error("http.listener_failed", {{"error", error.what()}});
    }
  }

  asio::awaitable<void> accept_connections(Loop& loop, tcp::acceptor& acceptor, const Pipeline& pipeline,
                                           asio::ssl::context* tls) {
    auto backoff = std::chrono::milliseconds(kFirstBackoff);
    asio::steady_timer timer(loop.context);
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        const bool exhausted = is_resource_exhaustion(ec);
        metrics.accept_errors.with_labels({exhausted ? "resource_exhausted" : "other"}).inc();
        core::log::warn("http.accept_failed", {{"error", ec.message()}, {"backoff_ms", backoff.count()}});
        if (exhausted) {
          timer.expires_after(backoff);
          co_await timer.async_wait(use_nothrow);
          backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        }
        continue;
      }
      backoff = kFirstBackoff;
      metrics.connections_accepted.inc();
      if (shared.connections.fetch_add(1) >= shared.limits.max_connections) {
        shared.connections.fetch_sub(1);
        metrics.connections_refused.inc();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      if (tls != nullptr) {
        asio::co_spawn(loop.context, detail::run_tls_session(std::move(socket), *tls, pipeline, loop.state, shared),
                       asio::detached);
      } else {
        asio::co_spawn(loop.context, detail::run_session(std::move(socket), pipeline, loop.state, shared),
                       asio::detached);
      }
    }
  }

  // Enforces the sessions' deadlines (see detail::kDeadlineSweepInterval).
  asio::awaitable<void> sweep_deadlines(Loop& loop) {
    asio::steady_timer timer(loop.context);
    while (true) {
      timer.expires_after(detail::kDeadlineSweepInterval);
      auto [ec] = co_await timer.async_wait(use_nothrow);
      if (ec) co_return;
      detail::expire_sessions(loop.state, shared.clock.monotonic());
      core::log::flush_batch();
    }
  }

  detail::ServerMetrics metrics;
  detail::SessionShared shared;
  std::vector<std::unique_ptr<asio::ssl::context>> tls_contexts;  // shared by the loops (SSL_CTX is thread-safe)
  std::vector<std::unique_ptr<Loop>> loops;
  std::vector<Listener> listeners;
  bool started = false;
};

HttpServer::HttpServer(unsigned threads, const core::HttpConfig& limits, core::metrics::Registry& metrics,
                       const core::Clock& clock)
    : impl_(std::make_unique<Impl>(threads, limits, metrics, clock)) {}

HttpServer::~HttpServer() {
  if (impl_->started) drain(std::chrono::milliseconds(0));
}

void HttpServer::add_listener(std::string key, const core::HostPort& address, const Pipeline& pipeline,
                              bool on_every_loop, const TlsFiles* tls) {
  asio::ssl::context* tls_context = nullptr;
  if (tls != nullptr) {
    impl_->tls_contexts.push_back(make_tls_context(key, *tls));
    tls_context = impl_->tls_contexts.back().get();
  }
  auto endpoint = endpoint_of(key, address);
  if (endpoint.port() != 0) check_port_free(key, address, endpoint);

  const auto count = on_every_loop ? impl_->loops.size() : 1;
  for (std::size_t i = 0; i < count; ++i) {
    auto& loop = *impl_->loops[i];
    auto acceptor = std::make_unique<tcp::acceptor>(loop.context);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->set_option(ReusePort(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw BindError(bind_failure(key, address, ec));
    // With port 0 the first socket picked a free port; the others join it.
    if (endpoint.port() == 0) endpoint.port(acceptor->local_endpoint().port());
    asio::co_spawn(loop.context, impl_->accept_loop(loop, *acceptor, pipeline, tls_context), asio::detached);
    loop.acceptors.push_back(std::move(acceptor));
  }
  impl_->listeners.push_back({std::move(key), core::HostPort{address.host, endpoint.port()}});
}

core::HostPort HttpServer::bound_address(std::string_view key) const {
  for (const auto& listener : impl_->listeners) {
    if (listener.key == key) return listener.bound;
  }
  throw std::logic_error("no listener named " + std::string(key));
}

unsigned HttpServer::threads() const {
  return static_cast<unsigned>(impl_->loops.size());
}

boost::asio::any_io_executor HttpServer::loop_executor(unsigned index) const {
  return impl_->loops[index % impl_->loops.size()]->context.get_executor();
}

void HttpServer::start() {
  impl_->started = true;
  for (auto& loop : impl_->loops) {
    asio::co_spawn(loop->context, impl_->sweep_deadlines(*loop), asio::detached);
    loop->thread = std::thread([&context = loop->context] {
      // Keep running while listeners or sessions have work; drain() stops it.
      auto guard = asio::make_work_guard(context);
      context.run();
      core::log::flush_batch();  // this loop's last access-log lines
    });
  }
}

std::size_t HttpServer::drain(std::chrono::milliseconds grace) {
  auto& shared = impl_->shared;
  for (auto& loop : impl_->loops) {
    asio::post(loop->context, [&loop = *loop] {
      boost::system::error_code ignored;
      for (auto& acceptor : loop.acceptors) acceptor->close(ignored);
      loop.state.draining = true;
      detail::close_idle_sessions(loop.state);
    });
  }
  {
    std::unique_lock lock(shared.mutex);
    shared.drained.wait_for(lock, grace, [&] { return shared.connections.load() == 0; });
  }
  const auto left = shared.connections.load();
  for (auto& loop : impl_->loops) loop->context.stop();
  for (auto& loop : impl_->loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  impl_->started = false;
  return left;
}

}  // namespace orderly::net
