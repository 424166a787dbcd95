#include "cache/redis_pool.hpp"

#include <algorithm>

namespace orderly::cache {
namespace asio = boost::asio;

RedisLoopPool::RedisLoopPool(asio::any_io_executor loop, std::shared_ptr<const RedisPoolSettings> settings)
    : loop_(std::move(loop)),
      settings_(std::move(settings)),
      slots_(std::max<std::size_t>(1, settings_->connections_per_loop)),
      backoff_(settings_->reconnect_backoff) {}

std::shared_ptr<RedisConnection> RedisLoopPool::acquire() {
  const auto primary = settings_->primary->current();
  if (primary.epoch == 0) return nullptr;  // Sentinel named no primary yet
  if (primary.epoch != epoch_) {
    // A failover: connections to the old primary go, new ones open at once.
    for (auto& slot : slots_) {
      if (slot) slot->close("the primary moved to " + primary.address);
      slot.reset();
    }
    epoch_ = primary.epoch;
    backoff_ = settings_->reconnect_backoff;
  }
  open_one_if_due();
  for (std::size_t tried = 0; tried < slots_.size(); ++tried) {
    const auto& slot = slots_[next_++ % slots_.size()];
    if (slot && slot->state() != RedisConnection::State::closed) return slot;
  }
  return nullptr;
}

// At most one new connection per call. An empty slot (first use) fills at
// once; a closed one is replaced only once the back-off has passed since the
// loop last opened a connection.
void RedisLoopPool::open_one_if_due() {
  const bool healthy = std::any_of(slots_.begin(), slots_.end(), [](const auto& slot) {
    return slot && slot->state() == RedisConnection::State::connected;
  });
  if (healthy) backoff_ = settings_->reconnect_backoff;  // the server is back: start over from the shortest wait

  for (auto& slot : slots_) {
    if (slot && slot->state() != RedisConnection::State::closed) continue;
    const auto now = settings_->clock->monotonic();
    if (slot) {
      if (now < last_open_ + backoff_) return;
      backoff_ = std::min(backoff_ * 2, settings_->reconnect_backoff_max);
    }
    last_open_ = now;
    const auto primary = settings_->primary->current();
    slot = RedisConnection::open(loop_, primary.ip, primary.port, primary.address,
                                 RedisCredentials{settings_->username, settings_->password});
    return;
  }
}

std::string RedisLoopPool::why_unavailable() const {
  for (const auto& slot : slots_) {
    if (slot && slot->state() == RedisConnection::State::closed) {
      return slot->close_reason() + "; reconnecting after a back-off";
    }
  }
  if (settings_->primary->current().epoch == 0) return "no Sentinel named the primary yet";
  return "no connection";
}

void RedisLoopPool::close() {
  for (auto& slot : slots_) {
    if (slot) slot->close("the cache was destroyed");
    slot.reset();
  }
}

RedisLoopService::RedisLoopService(asio::execution_context& context) : service(context) {}

std::pair<std::shared_ptr<RedisLoopPool>, bool> RedisLoopService::pool(
    const asio::any_io_executor& loop, const std::shared_ptr<const RedisPoolSettings>& settings) {
  auto& slot = pools_[settings.get()];
  if (slot) return {slot, false};
  slot = std::make_shared<RedisLoopPool>(loop, settings);
  return {slot, true};
}

void RedisLoopService::erase(const RedisPoolSettings* settings) {
  pools_.erase(settings);
}

void RedisLoopService::shutdown() {
  // The io_context is going away: drop the connections while its reactor can
  // still deregister their sockets.
  for (auto& [settings, pool] : pools_) pool->close();
  pools_.clear();
}

}  // namespace orderly::cache
