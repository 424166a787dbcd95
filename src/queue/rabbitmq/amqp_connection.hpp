#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "queue/rabbitmq/amqp_envelope.hpp"
#include "queue/rabbitmq/amqp_uri.hpp"

namespace orderly::queue::rabbitmq {

// The connection can no longer be used (socket error, timeout, the server
// closed a channel or the connection): drop it and open another.
class AmqpConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The broker did not take a published message (a nack, or unroutable). The
// connection itself is still usable. A nack (`nacked`) is worth another try:
// a quorum queue nacks what was in flight when its leader went away.
class AmqpPublishError : public std::runtime_error {
 public:
  explicit AmqpPublishError(const std::string& what, bool nacked = false)
      : std::runtime_error(what), nacked_(nacked) {}
  [[nodiscard]] bool nacked() const { return nacked_; }

 private:
  bool nacked_;
};

struct AmqpConnectionSettings {
  AmqpUri uri;
  std::chrono::milliseconds call_timeout{5000};  // TCP connect, login handshake, each RPC
  std::chrono::seconds heartbeat{10};            // also bounds every send and content read
};

struct QueueArgument {
  std::string key;
  std::variant<std::string, std::int64_t> value;
};

struct GotMessage {
  std::uint64_t delivery_tag = 0;
  IncomingMessage incoming;
};

// One rabbitmq-c connection with two channels: kWorkChannel in confirm mode
// (publishing, basic.get and acks of work deliveries) and kBrowseChannel
// (reading dead-letter queues, whose deliveries are returned or acked apart
// from the work deliveries). Every call is blocking and bounded in time:
// RPCs by call_timeout, confirms by the deadline given, sends and content
// reads by the heartbeat. Not thread-safe: one thread owns it.
//
// Any failure that leaves the connection unusable throws AmqpConnectionError;
// the owner then destroys the connection (the broker requeues its unacked
// deliveries) and opens another.
class AmqpConnection {
 public:
  static constexpr amqp_channel_t kWorkChannel = 1;
  static constexpr amqp_channel_t kBrowseChannel = 2;

  // Connects, logs in, opens both channels; throws AmqpConnectionError.
  explicit AmqpConnection(const AmqpConnectionSettings& settings);
  ~AmqpConnection();  // closes politely when the connection is healthy
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // queue.declare (durable), idempotent for the same arguments.
  void declare_queue(const std::string& name, const std::vector<QueueArgument>& arguments);

  // Publishes to the default exchange (routing key = queue name, mandatory)
  // on the work channel and waits until the broker confirms it; throws
  // AmqpPublishError on a nack or an unroutable message, AmqpConnectionError
  // when no confirm came by `deadline` (the connection is then done).
  void publish(const std::string& queue, const OutgoingProperties& properties, const std::string& body,
               std::chrono::steady_clock::time_point deadline);

  // basic.get with manual ack; nullopt when the queue is empty.
  [[nodiscard]] std::optional<GotMessage> get(amqp_channel_t channel, const std::string& queue);

  void ack(amqp_channel_t channel, std::uint64_t delivery_tag);
  void requeue(amqp_channel_t channel, std::uint64_t delivery_tag);

  // The heartbeat interval agreed with the broker at login (the smaller of
  // the two proposals; zero would mean none). The broker closes the
  // connection after two intervals without a frame from this client.
  [[nodiscard]] std::chrono::seconds heartbeat() const;

  // Handles what the broker sent unasked (late confirms, heartbeats) and
  // sends a heartbeat when one is due, without blocking. Called while idle so
  // the broker does not close a quiet connection.
  void keep_alive();

 private:
  [[noreturn]] void fail(const std::string& what, int status);
  void check_reply(const std::string& what);
  void check_reply(const std::string& what, const amqp_rpc_reply_t& reply);
  // A method that arrived outside any RPC: confirms are matched by the
  // caller; a channel.close or connection.close throws.
  void check_unsolicited(const amqp_frame_t& frame);

  amqp_connection_state_t state_ = nullptr;
  bool healthy_ = false;
  std::uint64_t next_publish_tag_ = 1;  // confirm-mode sequence number of the next publish
};

}  // namespace orderly::queue::rabbitmq
