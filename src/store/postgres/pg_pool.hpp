#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_server.hpp"

namespace orderly::store::postgres {

class PgPool;

// A connection borrowed from a pool. It goes back when the lease ends: to
// the next waiter or the idle list if it is reusable, else it is closed and
// its slot freed. Move-only; lives on the pool's loop.
class PgLease {
 public:
  PgLease() = default;
  PgLease(std::shared_ptr<PgPool> pool, std::unique_ptr<PgConnection> connection);
  PgLease(PgLease&& other) noexcept = default;
  PgLease& operator=(PgLease&& other) noexcept;
  ~PgLease();

  PgConnection& operator*() const { return *connection_; }
  PgConnection* operator->() const { return connection_.get(); }

 private:
  void give_back();

  std::shared_ptr<PgPool> pool_;
  std::unique_ptr<PgConnection> connection_;
};

// The connections to one server on one event loop: at most pool_size open
// (idle, leased or connecting), opened lazily. Used only on its loop's
// thread, so it needs no lock; callers take turns by awaiting.
//
// acquire() hands out an idle connection, or opens one while fewer than
// pool_size are open, or else waits (FIFO) until one is given back, at most
// acquire_timeout, then throws StoreUnavailable. A broken connection is
// closed, never returned to the pool; its slot opens a new one on demand.
// Reconnecting backs off: after a failed connect no new one is tried for
// reconnect_backoff (doubling up to reconnect_backoff_max, reset by a
// success); meanwhile acquire() fails at once when no connection is open.
class PgPool : public std::enable_shared_from_this<PgPool> {
 public:
  PgPool(boost::asio::any_io_executor loop, std::shared_ptr<const PgServer> server);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  boost::asio::awaitable<PgLease> acquire();

  // Closes idle connections and fails waiters; leased ones close when given back.
  void close();

  [[nodiscard]] const boost::asio::any_io_executor& loop() const { return loop_; }
  [[nodiscard]] const PgServer* server_key() const { return server_.get(); }

 private:
  friend class PgLease;
  struct Waiter;
  using Clock = std::chrono::steady_clock;

  boost::asio::awaitable<std::unique_ptr<PgConnection>> open_one();
  void give_back(std::unique_ptr<PgConnection> connection);
  void wake(std::size_t count);
  [[nodiscard]] std::string describe(const std::string& problem) const;

  boost::asio::any_io_executor loop_;
  std::shared_ptr<const PgServer> server_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // most recently used last
  std::size_t open_ = 0;                             // idle + leased + connecting
  std::deque<std::shared_ptr<Waiter>> waiters_;
  Clock::time_point retry_at_{};  // no connect attempt before this
  std::chrono::milliseconds backoff_;
  std::string last_failure_;
  bool closed_ = false;
};

// Per-io_context home of the pools: an Asio service, so the pools (and the
// sockets and timers they own) are destroyed with the io_context they belong
// to, whichever of the store and the io_context goes first. Touched only from
// the loop's own thread (and by the io_context's shutdown).
class PgLoopService final : public boost::asio::execution_context::service {
 public:
  static inline boost::asio::execution_context::id id;

  explicit PgLoopService(boost::asio::execution_context& context);

  // The pool for `server` on this loop, and whether it was created now.
  std::pair<std::shared_ptr<PgPool>, bool> pool(const boost::asio::any_io_executor& loop,
                                                const std::shared_ptr<const PgServer>& server);
  void erase(const PgServer* server);

 private:
  void shutdown() override;

  // Keyed by the server's address in memory: the pool holds the server, so the
  // key cannot be reused by another store while the entry exists.
  std::unordered_map<const PgServer*, std::shared_ptr<PgPool>> pools_;
};

}  // namespace orderly::store::postgres
