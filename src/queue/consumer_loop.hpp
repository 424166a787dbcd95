#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "queue/broker.hpp"

namespace orderly::queue {

struct ConsumerLoopOptions {
  std::string queue;
  std::string worker;                            // for logs: "catalog.bulk", "catalog.cache_invalidation"
  std::size_t prefetch = 1;                      // messages received at once
  std::chrono::milliseconds poll_interval{250};  // the wait when the queue is empty
};

// What each delivery is handed to: it acks or nacks it (or leaves it, to come
// back after the visibility timeout). May throw; the loop logs and goes on.
using DeliveryHandler = std::function<boost::asio::awaitable<void>(Delivery)>;

// Receives up to `prefetch` messages of `queue` at a time and hands each to
// `handle`, until `stopping` is set (checked at least once per poll interval
// and between two deliveries); waits `poll_interval` when the queue is empty.
// A failed receive (the broker or its store unavailable) is logged and tried
// again after the poll interval. Logs `<worker>_started` and `_stopped`.
boost::asio::awaitable<void> run_consumer(Broker& broker, ConsumerLoopOptions options,
                                          const std::atomic<bool>& stopping, DeliveryHandler handle);

// One round of it: what is due now; returns how many messages were received.
boost::asio::awaitable<std::size_t> consume_once(Broker& broker, const ConsumerLoopOptions& options,
                                                 const std::atomic<bool>& stopping, const DeliveryHandler& handle);

}  // namespace orderly::queue
