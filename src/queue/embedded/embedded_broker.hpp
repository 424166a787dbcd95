#pragma once

#include <chrono>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "queue/broker.hpp"
#include "queue/retry_policy.hpp"
#include "store/store.hpp"

namespace orderly::queue {

struct EmbeddedBrokerOptions {
  std::chrono::milliseconds visibility_timeout{30'000};
  RetryPolicy retry;
};

// The embedded-mode broker: queues are rows of the queue_messages table in
// the store (the same SQLite file as the data), so a message enqueued in a
// data transaction commits or vanishes with it (that is the outbox), and a
// crash loses nothing that was committed. Metrics:
// orderly_queue_messages_total{queue,event} (published, delivered, acked,
// retried, dead_lettered, replayed).
class EmbeddedBroker final : public Broker {
 public:
  EmbeddedBroker(store::Store& store, const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics,
                 EmbeddedBrokerOptions options = {});

  boost::asio::awaitable<void> publish(Message message) override;
  boost::asio::awaitable<std::vector<Delivery>> receive(std::string queue, std::size_t max) override;
  boost::asio::awaitable<bool> ack(Delivery delivery) override;
  boost::asio::awaitable<bool> nack(Delivery delivery, std::string reason) override;
  boost::asio::awaitable<std::vector<DeadLetter>> dead_letters(std::string queue, std::size_t limit) override;
  boost::asio::awaitable<bool> replay(std::string message_id) override;

  // Inserts `message` as part of `tx` (the outbox of embedded mode).
  boost::asio::awaitable<void> enqueue(store::Transaction& tx, Message message);

 private:
  [[nodiscard]] std::int64_t now_ms() const;
  void count(const std::string& queue, const char* event, double amount = 1);

  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  EmbeddedBrokerOptions options_;
  core::metrics::Family<core::metrics::Counter>& events_;
};

}  // namespace orderly::queue
