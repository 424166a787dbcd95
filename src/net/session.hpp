#pragma once

// Internal to src/net: the per-connection HTTP session and the state it shares
// with the listener. Only http_server.cpp and session.cpp include this.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "net/pipeline.hpp"

namespace orderly::net::detail {

// What the loop's drain and deadline sweep need from a session, plain or TLS.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close_if_idle() = 0;
  virtual void expire_if_due(std::chrono::steady_clock::time_point now) = 0;
};

// State of one event loop, touched only from that loop's thread.
struct LoopState {
  bool draining = false;
  std::unordered_set<SessionBase*> sessions;
};

struct ServerMetrics {
  explicit ServerMetrics(core::metrics::Registry& registry);

  core::metrics::Counter& connections_accepted;
  core::metrics::Gauge& connections_active;
  core::metrics::Counter& connections_refused;                     // over http.max_connections
  core::metrics::Family<core::metrics::Counter>& timeouts;         // {phase}
  core::metrics::Family<core::metrics::Counter>& protocol_errors;  // {reason}
  core::metrics::Family<core::metrics::Counter>& accept_errors;    // {error}
};

// Shared by every loop. `connections` counts open sessions; drain() waits on
// `drained` until it reaches zero.
struct SessionShared {
  // A copy: the server must not depend on the caller keeping its config alive.
  const core::HttpConfig limits;
  ServerMetrics& metrics;
  const core::Clock& clock;
  std::atomic<std::size_t> connections{0};
  std::mutex mutex{};
  std::condition_variable drained{};
};

// Serves HTTP/1.1 on one accepted connection until it closes. The caller has
// already counted it in `shared.connections`; the session uncounts it.
boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket, const Pipeline& pipeline, LoopState& loop,
                                         SessionShared& shared);

// The same over TLS: the handshake first (bounded by the header timeout).
boost::asio::awaitable<void> run_tls_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                                             const Pipeline& pipeline, LoopState& loop, SessionShared& shared);

// Drain: closes every session of this loop that waits for its next request;
// sessions inside a request finish it, answer with Connection: close and end.
void close_idle_sessions(LoopState& loop);

// How often each loop checks its sessions' deadlines. Deadlines are plain
// time stamps checked by one sweep per loop, not a timer per read and write
// (that cost a timer-queue update and often a timerfd syscall per request),
// so a timeout fires up to this much late.
inline constexpr std::chrono::milliseconds kDeadlineSweepInterval{250};

// Closes the sessions of this loop whose current deadline has passed.
void expire_sessions(LoopState& loop, std::chrono::steady_clock::time_point now);

}  // namespace orderly::net::detail
