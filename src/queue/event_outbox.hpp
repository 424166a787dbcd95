#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "queue/message.hpp"
#include "store/store.hpp"

namespace orderly::queue {

class EmbeddedBroker;

// Where a module writes the events of a state change, inside the same
// transaction (DESIGN.md: "an event written in the same transaction as the
// state change is published at least once"). Modules hold this interface and
// never learn which mode they run in. Thread-safe.
class EventOutbox {
 public:
  virtual ~EventOutbox() = default;
  // Writes `message` as part of `tx`: it is delivered if and only if `tx`
  // commits. An empty id or created_at is filled in.
  virtual boost::asio::awaitable<void> write(store::Transaction& tx, Message message) = 0;
};

// Embedded mode: the message becomes a row of the embedded broker's queue
// table at once, in the same SQLite transaction.
class EmbeddedEventOutbox final : public EventOutbox {
 public:
  explicit EmbeddedEventOutbox(EmbeddedBroker& broker) : broker_(broker) {}
  boost::asio::awaitable<void> write(store::Transaction& tx, Message message) override;

 private:
  EmbeddedBroker& broker_;
};

// Scale-out mode: the message goes into the outbox table; the outbox relay
// publishes it to RabbitMQ after the commit.
class RelayedEventOutbox final : public EventOutbox {
 public:
  RelayedEventOutbox(const core::Clock& clock, core::Random& random) : clock_(clock), random_(random) {}
  boost::asio::awaitable<void> write(store::Transaction& tx, Message message) override;

 private:
  const core::Clock& clock_;
  core::Random& random_;
};

}  // namespace orderly::queue
