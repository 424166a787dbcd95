#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "queue/message.hpp"

namespace orderly::queue {

// Durable queues with at-least-once delivery, embedded (in the SQLite file)
// or on RabbitMQ. A received message is invisible to other consumers until it
// is acked, nacked or its visibility timeout passes (then it is delivered
// again). A nacked message comes back after an exponential back-off with
// jitter; after the delivery limit it moves to the dead-letter queue, from
// which replay() puts it back. Consumers make redelivery harmless with the
// inbox (queue/inbox.hpp). Thread-safe.
class Broker {
 public:
  virtual ~Broker() = default;

  // Sends outside any transaction. To send together with a state change, use
  // the outbox (queue/outbox.hpp) inside that change's transaction.
  virtual boost::asio::awaitable<void> publish(Message message) = 0;

  // Up to `max` messages of `queue` that are due, oldest first.
  virtual boost::asio::awaitable<std::vector<Delivery>> receive(std::string queue, std::size_t max) = 0;

  // Done: the message is removed. False when the receipt is stale.
  virtual boost::asio::awaitable<bool> ack(Delivery delivery) = 0;

  // Failed: retried later, or dead-lettered once the delivery limit is reached.
  // `reason` is kept for operators (no secrets in it). False when the receipt is stale.
  virtual boost::asio::awaitable<bool> nack(Delivery delivery, std::string reason) = 0;

  // The dead-letter queue of `queue`, oldest first, at most `limit`.
  virtual boost::asio::awaitable<std::vector<DeadLetter>> dead_letters(std::string queue, std::size_t limit) = 0;

  // Puts a dead-lettered message back on its queue with a fresh delivery
  // count. False when no dead letter has that id.
  virtual boost::asio::awaitable<bool> replay(std::string message_id) = 0;
};

}  // namespace orderly::queue
