#include "net/http_client.hpp"

#include <atomic>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "net/http_client_pool.hpp"
#include "net/loop_pools.hpp"

namespace orderly::net {
namespace asio = boost::asio;

std::string_view to_string(HttpClientError::Kind kind) {
  switch (kind) {
    case HttpClientError::Kind::connect_failed: return "connect_failed";
    case HttpClientError::Kind::connect_timeout: return "connect_timeout";
    case HttpClientError::Kind::pool_exhausted: return "pool_exhausted";
    case HttpClientError::Kind::timeout: return "timeout";
    case HttpClientError::Kind::closed: return "closed";
    case HttpClientError::Kind::protocol_error: return "protocol_error";
    case HttpClientError::Kind::body_too_large: return "body_too_large";
  }
  return "unknown";
}

namespace {

// Which pool serves a client on this thread. A thread runs one event loop,
// so after the first call a lookup is a short scan without a lock (Asio's
// use_service takes the service registry's mutex).
struct CachedPool {
  std::uint64_t client_id;
  asio::execution_context* context;
  std::weak_ptr<detail::ClientLoopPool> pool;
};
thread_local std::vector<CachedPool> cached_pools;

std::atomic<std::uint64_t> next_client_id{1};

}  // namespace

struct HttpClient::Impl {
  std::shared_ptr<const detail::ClientShared> shared;
  std::uint64_t id = next_client_id.fetch_add(1);
  std::mutex mutex;  // guards `pools`; taken once per loop, when its pool is made
  std::vector<std::weak_ptr<detail::ClientLoopPool>> pools;

  // The pool cached for this thread whose loop runs on this thread now, or null.
  std::shared_ptr<detail::ClientLoopPool> running_pool() {
    for (const auto& cached : cached_pools) {
      if (cached.client_id != id) continue;
      auto pool = cached.pool.lock();
      if (pool && static_cast<asio::io_context&>(*cached.context).get_executor().running_in_this_thread()) return pool;
    }
    return nullptr;
  }

  std::shared_ptr<detail::ClientLoopPool> pool_for(const asio::any_io_executor& executor) {
    auto& context = asio::query(executor, asio::execution::context);
    for (auto it = cached_pools.begin(); it != cached_pools.end(); ++it) {
      if (it->client_id != id || it->context != &context) continue;
      if (auto pool = it->pool.lock()) return pool;
      cached_pools.erase(it);
      break;
    }
    auto [pool, created] = asio::use_service<detail::ClientLoopService>(context).pool(executor, shared);
    if (created) {
      const std::lock_guard lock(mutex);
      pools.push_back(pool);
    }
    std::erase_if(cached_pools, [](const CachedPool& cached) { return cached.pool.expired(); });
    cached_pools.push_back({id, &context, pool});
    return pool;
  }
};

HttpClient::HttpClient(HttpClientSettings settings, const core::Clock& clock) : impl_(std::make_shared<Impl>()) {
  auto shared = std::make_shared<detail::ClientShared>();
  shared->settings = settings;
  shared->clock = &clock;
  impl_->shared = std::move(shared);
}

HttpClient::~HttpClient() {
  const std::lock_guard lock(impl_->mutex);
  close_pools_on_their_loops<detail::ClientLoopService>(impl_->pools, &detail::ClientLoopPool::shared_key);
}

const HttpClientSettings& HttpClient::settings() const {
  return impl_->shared->settings;
}

namespace {

asio::awaitable<Response> send_on_new_pool(std::shared_ptr<HttpClient::Impl> impl, core::HostPort upstream,
                                           Request request, std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  const auto pool = impl->pool_for(executor);
  co_return co_await pool->send(std::move(upstream), std::move(request), timeout);
}

}  // namespace

// Hot path: when this thread already has this client's pool and is running
// that pool's loop, the pool's coroutine is returned directly, without a
// coroutine frame of its own.
asio::awaitable<Response> HttpClient::send(core::HostPort upstream, Request request, std::chrono::milliseconds timeout) {
  if (auto pool = impl_->running_pool()) return pool->send(std::move(upstream), std::move(request), timeout);
  return send_on_new_pool(impl_, std::move(upstream), std::move(request), timeout);
}

}  // namespace orderly::net
