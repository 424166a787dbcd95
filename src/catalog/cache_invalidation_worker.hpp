#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>

#include <boost/asio/awaitable.hpp>

#include "catalog/product_cache.hpp"
#include "queue/broker.hpp"
#include "queue/consumer_loop.hpp"

namespace orderly::catalog {

// Scale-out: the consumer of the "catalog-cache" queue. Each products-changed
// event (written by ProductCache::changed in the transaction of the change)
// deletes those products from the shared cache, then is acked; a delete that
// fails (Redis down) is nacked, so the broker retries it with back-off. A
// message of an unknown type or schema is nacked (and dead-lettered after
// the delivery limit). Deleting twice is harmless, so at-least-once delivery
// is all it needs. One worker per catalog instance; the queue hands each
// event to one of them, which is enough for a cache they all share.
class CacheInvalidationWorker {
 public:
  CacheInvalidationWorker(queue::Broker& broker, ProductCache& cache,
                          std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250))
      : broker_(broker), cache_(cache), options_{std::string(kCacheQueue), "catalog.cache_invalidation", 16,
                                                 poll_interval} {}

  // Handles what is due now; returns how many messages it received.
  boost::asio::awaitable<std::size_t> poll_once();
  // Polls until stop().
  boost::asio::awaitable<void> run();
  // Thread-safe; run() returns within one poll interval.
  void stop() { stopping_.store(true); }

 private:
  boost::asio::awaitable<void> handle(queue::Delivery delivery);

  queue::Broker& broker_;
  ProductCache& cache_;
  queue::ConsumerLoopOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace orderly::catalog
