#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "app/background_workers.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "lock/lock.hpp"
#include "net/health.hpp"
#include "queue/broker.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::queue {
class RabbitBroker;
}  // namespace orderly::queue

namespace orderly::app {

// The queues of one process and where its modules write their events; the
// modules see only queue::Broker and queue::EventOutbox, never the mode.
//
// - In the store (queue.rabbitmq_uri empty: `orderly serve`, or services on
//   one shared schema): one EmbeddedBroker; an event becomes a queue row in
//   the transaction of its change.
// - On RabbitMQ (scale-out): an event becomes a row of the service's own
//   outbox table in the transaction of its change; the outbox relay
//   publishes it with publisher confirms to RabbitMQ's quorum queues, from
//   which the consumers of every process receive. The relay is a singleton
//   job: one process of the service relays at a time, under a lease.
class Messaging {
 public:
  // Throws std::invalid_argument for a malformed RabbitMQ URI (never echoing
  // it). Connects lazily: a RabbitMQ that is down is reported by the calls.
  Messaging(const core::Config& config, store::Store& store, const core::Clock& clock, core::Random& random,
            core::metrics::Registry& metrics);
  ~Messaging();
  Messaging(const Messaging&) = delete;
  Messaging& operator=(const Messaging&) = delete;

  [[nodiscard]] queue::Broker& broker() { return *broker_; }
  // Taking the outbox marks this process as one that writes events, which
  // is what gives it a relay (see relay()).
  [[nodiscard]] std::shared_ptr<queue::EventOutbox> outbox() {
    writes_events_ = true;
    return outbox_;
  }
  // RabbitMQ only: a /readyz check that fails while RabbitMQ is unreachable
  // (events then wait in the outboxes, and consumers receive nothing).
  [[nodiscard]] std::optional<net::HealthCheck> health_check();
  // "store" or "rabbitmq", for logs.
  [[nodiscard]] std::string_view kind() const;

  // RabbitMQ only: the relay of this process's outbox as a background
  // worker, leased through `lock` (the service's own lock table), so one
  // process of the service relays at a time and another takes over within
  // the lease's ttl when it dies. std::nullopt when events live in the store
  // or when no module of this process took the outbox (call after wiring them).
  [[nodiscard]] std::optional<BackgroundWorkers::Worker> relay(lock::DistributedLock& lock);

 private:
  struct Relay;

  store::Store& store_;
  core::metrics::Registry& metrics_;
  std::unique_ptr<queue::Broker> broker_;
  queue::RabbitBroker* rabbit_ = nullptr;  // broker_, when on RabbitMQ
  std::shared_ptr<queue::EventOutbox> outbox_;
  std::unique_ptr<Relay> relay_;
  bool writes_events_ = false;
};

}  // namespace orderly::app
