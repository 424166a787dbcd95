#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "queue/message.hpp"
#include "queue/rabbitmq/amqp_connection.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "queue/rabbitmq/retry_ladder.hpp"

namespace orderly::queue::rabbitmq {

// What RabbitBroker does, synchronously, on the one thread that owns the
// connection: (re)connecting with back-off, declaring the topology, the
// unacked deliveries of the current connection and what each Broker call
// means in AMQP. Not thread-safe.
class RabbitSession {
 public:
  // `nodes`: the cluster's nodes (at least one). A connection goes to one of
  // them; when it drops, or a node refuses it, the next one is tried.
  RabbitSession(const RabbitBrokerOptions& options, std::vector<AmqpUri> nodes, const core::Clock& clock,
                core::Random& random, core::metrics::Registry& metrics);

  // Returns once the broker confirmed the message. Until confirm_timeout has
  // passed since the call, a message that was not confirmed (its node died,
  // the connection dropped, the queue nacked it while electing a leader) is
  // published again, on another node if need be; then RabbitBrokerError.
  void publish(Message message);
  [[nodiscard]] std::vector<Delivery> receive(const std::string& queue, std::size_t max);
  [[nodiscard]] bool ack(const Delivery& delivery);
  [[nodiscard]] bool nack(const Delivery& delivery, std::string reason);
  [[nodiscard]] std::vector<DeadLetter> dead_letters(const std::string& queue, std::size_t limit);
  [[nodiscard]] bool replay(const std::string& message_id);

  // Between calls: heartbeats, and a reconnect (once the back-off allows)
  // when the connection dropped while queues are known.
  void keep_alive();
  void close();
  // True when the connection is open or could be opened now; false while
  // RabbitMQ is unreachable (and backing off). For readiness checks.
  [[nodiscard]] bool connected();

 private:
  struct Held {
    Message message;
    int attempt = 1;
  };

  // The open connection, opening one (and declaring every known queue's
  // topology) if needed; throws RabbitBrokerError while backing off.
  AmqpConnection& connection();
  // One round over the nodes, from the current one, unless backing off.
  AmqpConnection* try_connect();
  AmqpConnection* connect_to(const AmqpUri& node);
  void drop(const std::string& reason);
  // Runs `operation` on the connection; on AmqpConnectionError drops the
  // connection and, if `retry` and the connection had been open before this
  // call (it may have died while idle), tries once more on a fresh one.
  template <class Operation>
  auto with_connection(const char* what, bool retry, Operation operation);

  void declare_topology(AmqpConnection& connection, const std::string& queue);
  void send(AmqpConnection& connection, const std::string& target, const Message& message, int failed_attempts,
            const std::string& reason);
  // The unacked delivery `delivery` names on the current connection.
  std::optional<std::uint64_t> held_tag(const Delivery& delivery) const;
  void count(const std::string& queue, const char* event, double amount = 1);

  RabbitBrokerOptions options_;
  std::vector<AmqpUri> nodes_;
  std::size_t current_ = 0;         // index in nodes_ of the node connected (or tried) last
  AmqpConnectionSettings settings_;  // settings_.uri: nodes_[current_]
  RetryLadder ladder_;
  const core::Clock& clock_;
  core::Random& random_;
  core::metrics::Family<core::metrics::Counter>& events_;

  std::string instance_;  // tells this broker's receipts from another's
  std::unique_ptr<AmqpConnection> connection_;
  std::uint64_t generation_ = 0;  // of connection_; receipts carry it
  std::set<std::string> known_queues_;
  std::set<std::string> declared_;                   // on connection_
  std::unordered_map<std::uint64_t, Held> unacked_;  // work deliveries of connection_, by delivery tag
  std::chrono::steady_clock::time_point next_connect_at_{};
  std::chrono::milliseconds backoff_;
  std::string last_failure_;
};

}  // namespace orderly::queue::rabbitmq
