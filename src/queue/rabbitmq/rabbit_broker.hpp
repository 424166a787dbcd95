#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "queue/broker.hpp"
#include "queue/retry_policy.hpp"

namespace orderly::queue {

struct RabbitBrokerOptions {
  // amqp://user:password@host:port/vhost (%2f for "/"); the password is never
  // logged. Several nodes of one cluster: their URIs separated by commas. A
  // connection goes to one node; when it drops or a node refuses, the next.
  std::string uri;
  // Deliveries this broker hands out and holds unacked at most; receive()
  // returns fewer (or none) while that many are out.
  std::size_t prefetch = 64;
  // publish: until the broker confirms, retries on other nodes included (a
  // lost quorum neither confirms nor refuses: without this bound it would hang)
  std::chrono::milliseconds confirm_timeout{5000};
  std::chrono::milliseconds call_timeout{5000};     // TCP connect, login, each RPC, waiting for the RabbitMQ thread
  std::chrono::seconds heartbeat{10};  // at least 1 s; also bounds every send (2 x heartbeat to detect a dead link)
  std::chrono::milliseconds reconnect_backoff{100};  // after a failed connect; doubles up to the max
  std::chrono::milliseconds reconnect_backoff_max{5000};
  std::size_t max_pending_calls = 1024;  // calls queued for the RabbitMQ thread before new ones fail at once
  // dead_letters() returns at most this many; replay() looks at most this
  // many dead letters per queue for the id.
  std::size_t max_dead_letter_scan = 1000;
  // Declared on every (re)connect and searched by replay(); other queues are
  // declared on first use (and then searched too).
  std::vector<std::string> queues;
  RetryPolicy retry;
};

// A call that RabbitMQ could not serve: unreachable (and reconnecting after a
// back-off), a timeout, a publish the broker did not confirm, too many calls
// waiting. The message never contains the password.
class RabbitBrokerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The scale-out broker, on RabbitMQ through rabbitmq-c (AMQP 0-9-1).
//
// Topology per queue Q, declared idempotently on (re)connect or first use:
// Q and Q.dlq are durable quorum queues; for each step D of the retry
// policy's delay ladder (base, 2 base, ... max) a quorum queue Q.retry.D with
// x-message-ttl D that dead-letters (at least once) back to Q through the
// default exchange. Messages go through the default exchange, persistent and
// mandatory.
//
// publish() returns once the broker confirmed the message (publisher
// confirms); a nack, an unroutable message or no confirm within
// confirm_timeout throws RabbitBrokerError. receive() takes messages with
// basic.get and manual acks, at most `prefetch` unacked at a time. nack()
// republishes the message (confirmed) to Q.retry.D with one more failed
// attempt counted in a header of its own, or to Q.dlq at the delivery limit,
// then acks the original. A delivery returned to its queue unacked (the
// consumer's connection closed) counts as an attempt too (the quorum queue's
// x-delivery-count). dead_letters() reads Q.dlq and puts every message back;
// replay() moves one back to Q with a fresh count. Delivery is at least once:
// a failure between a republish and its ack leaves two copies (the inbox
// dedupes by message id).
//
// Threading: rabbitmq-c is blocking, so one thread of this broker owns the
// connection and runs every call, one at a time; callers await the result
// and no event loop ever blocks. Every call is bounded in time (see the
// options). A dropped connection is reopened on the next call or keep-alive
// tick (failed attempts back off); receipts name the connection they came
// from, so an ack or nack after a reconnect returns false and never touches
// another delivery.
//
// Metrics: orderly_queue_messages_total{queue,event} (published, delivered,
// acked, retried, dead_lettered, replayed), the embedded broker's family.
// `random` is used on the broker's thread only. Thread-safe.
class RabbitBroker final : public Broker {
 public:
  // Throws std::invalid_argument for a malformed URI or option; connects lazily.
  RabbitBroker(const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics,
               RabbitBrokerOptions options);
  // Closes the connection (the broker requeues what was not acked) after the
  // calls already queued have run.
  ~RabbitBroker() override;
  RabbitBroker(const RabbitBroker&) = delete;
  RabbitBroker& operator=(const RabbitBroker&) = delete;

  boost::asio::awaitable<void> publish(Message message) override;
  boost::asio::awaitable<std::vector<Delivery>> receive(std::string queue, std::size_t max) override;
  boost::asio::awaitable<bool> ack(Delivery delivery) override;
  boost::asio::awaitable<bool> nack(Delivery delivery, std::string reason) override;
  boost::asio::awaitable<std::vector<DeadLetter>> dead_letters(std::string queue, std::size_t limit) override;
  boost::asio::awaitable<bool> replay(std::string message_id) override;

  // For /readyz: true when the connection is open or opens now (within the
  // call timeout); false while RabbitMQ is unreachable. Never throws for a
  // connection failure.
  boost::asio::awaitable<bool> reachable();

  struct Impl;  // public so the .cpp's helpers can name it; defined there

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::queue
