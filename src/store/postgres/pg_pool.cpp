#include "store/postgres/pg_pool.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "store/errors.hpp"

namespace orderly::store::postgres {
namespace asio = boost::asio;

PgLease::PgLease(std::shared_ptr<PgPool> pool, std::unique_ptr<PgConnection> connection)
    : pool_(std::move(pool)), connection_(std::move(connection)) {}

PgLease& PgLease::operator=(PgLease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::move(other.pool_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

PgLease::~PgLease() {
  give_back();
}

void PgLease::give_back() {
  if (pool_ && connection_) pool_->give_back(std::move(connection_));
  pool_.reset();
  connection_.reset();
}

// One acquire() waiting for a connection. Given one (`handed`) or woken to
// look again by cancelling the timer; else the timer's expiry is its deadline.
struct PgPool::Waiter {
  Waiter(const asio::any_io_executor& loop, Clock::time_point deadline) : timer(loop, deadline) {}
  asio::steady_timer timer;
  std::unique_ptr<PgConnection> handed;
};

PgPool::PgPool(asio::any_io_executor loop, std::shared_ptr<const PgServer> server)
    : loop_(std::move(loop)), server_(std::move(server)), backoff_(server_->settings().reconnect_backoff) {}

PgPool::~PgPool() {
  close();
}

std::string PgPool::describe(const std::string& problem) const {
  return std::string("postgres ") + (server_->role() == PgServer::Role::primary ? "primary " : "replica ") +
         server_->address() + ": " + problem;
}

asio::awaitable<PgLease> PgPool::acquire() {
  const auto& settings = server_->settings();
  const auto deadline = Clock::now() + settings.acquire_timeout;
  auto self = shared_from_this();
  // Each turn hands out a connection, throws, or waits (until `deadline` at
  // the latest, checked before every wait) for a connection or a free slot.
  while (true) {
    if (closed_) throw StoreUnavailable(describe("the store is closed"));
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->reusable()) co_return PgLease(self, std::move(connection));
      --open_;  // the server closed it while it was idle
    }
    if (open_ < settings.pool_size) {
      if (Clock::now() >= retry_at_) {
        auto connection = co_await open_one();
        co_return PgLease(self, std::move(connection));
      }
      // Backing off: only a connection given back can serve this caller.
      if (open_ == 0) throw StoreUnavailable(describe(last_failure_ + "; reconnecting after a back-off"));
    }
    if (Clock::now() >= deadline) {
      throw StoreUnavailable(describe("no free connection within " + std::to_string(settings.acquire_timeout.count()) +
                                      " ms (" + std::to_string(settings.pool_size) + " per event loop)"));
    }
    auto waiter = std::make_shared<Waiter>(loop_, deadline);
    waiters_.push_back(waiter);
    [[maybe_unused]] const auto woke = co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter->handed) co_return PgLease(self, std::move(waiter->handed));
    std::erase(waiters_, waiter);  // timed out, or woken to look again
  }
}

asio::awaitable<std::unique_ptr<PgConnection>> PgPool::open_one() {
  auto self = shared_from_this();
  ++open_;
  std::unique_ptr<PgConnection> connection;
  std::string failure;
  try {
    connection = co_await PgConnection::open(server_, Clock::now() + server_->settings().connect_timeout);
  } catch (const StoreError& error) {
    failure = error.what();
  }
  if (!connection || closed_) {
    --open_;
    if (closed_) throw StoreUnavailable(describe("the store is closed"));
    last_failure_ = failure;
    retry_at_ = Clock::now() + backoff_;
    core::log::warn("store.postgres_connect_failed",
                    {{"server", server_->address()}, {"error", failure}, {"retry_after_ms", backoff_.count()}});
    backoff_ = std::min(backoff_ * 2, server_->settings().reconnect_backoff_max);
    wake(waiters_.size());  // with nothing open they fail at once instead of waiting out their deadline
    throw StoreUnavailable(failure);
  }
  backoff_ = server_->settings().reconnect_backoff;
  co_return connection;
}

void PgPool::give_back(std::unique_ptr<PgConnection> connection) {
  if (closed_ || !connection->reusable()) {
    connection.reset();
    --open_;
    wake(1);  // its slot is free: the first waiter may open a connection
    return;
  }
  if (!waiters_.empty()) {
    auto waiter = std::move(waiters_.front());
    waiters_.pop_front();
    waiter->handed = std::move(connection);
    waiter->timer.cancel();
    return;
  }
  idle_.push_back(std::move(connection));
}

void PgPool::wake(std::size_t count) {
  for (std::size_t i = 0; i < count && !waiters_.empty(); ++i) {
    auto waiter = std::move(waiters_.front());
    waiters_.pop_front();
    waiter->timer.cancel();
  }
}

void PgPool::close() {
  closed_ = true;
  open_ -= idle_.size();
  idle_.clear();
  wake(waiters_.size());
}

PgLoopService::PgLoopService(asio::execution_context& context) : service(context) {}

std::pair<std::shared_ptr<PgPool>, bool> PgLoopService::pool(const asio::any_io_executor& loop,
                                                             const std::shared_ptr<const PgServer>& server) {
  auto& slot = pools_[server.get()];
  if (slot) return {slot, false};
  slot = std::make_shared<PgPool>(loop, server);
  return {slot, true};
}

void PgLoopService::erase(const PgServer* server) {
  pools_.erase(server);
}

void PgLoopService::shutdown() {
  // The io_context is going away: drop the connections while its reactor can
  // still deregister their sockets.
  for (auto& [server, pool] : pools_) pool->close();
  pools_.clear();
}

}  // namespace orderly::store::postgres
