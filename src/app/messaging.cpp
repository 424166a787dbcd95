#include "app/messaging.hpp"

#include "app/queue_setup.hpp"
#include "lock/leased_job.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/outbox_relay.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"

namespace orderly::app {
namespace {

// How often the relay looks at the outbox while it leads: the delay an event
// may wait between its commit and RabbitMQ.
constexpr std::chrono::milliseconds kRelayInterval{100};
// A dead relay is replaced after this long.
constexpr std::chrono::milliseconds kRelayLeaseTtl{10'000};

}  // namespace

struct Messaging::Relay {
  Relay(store::Store& store, queue::Broker& broker, core::metrics::Registry& metrics, lock::DistributedLock& lock)
      : relay(store, broker, metrics),
        job("queue.outbox_relay", lock, metrics, lock::LeasedJobOptions{kRelayInterval, kRelayLeaseTtl},
            [this](const lock::Lease&) -> boost::asio::awaitable<void> { co_await drain(); }) {}

  // Everything unsent, a batch at a time; bounded so one tick never runs forever.
  boost::asio::awaitable<void> drain() {
    for (int batch = 0; batch < 100; ++batch) {
      if (co_await relay.relay_once() == 0) break;
    }
  }

  queue::OutboxRelay relay;
  lock::LeasedJob job;
};

Messaging::Messaging(const core::Config& config, store::Store& store, const core::Clock& clock, core::Random& random,
                     core::metrics::Registry& metrics)
    : store_(store), metrics_(metrics) {
  if (!config.queue.rabbitmq_uri.empty()) {
    auto rabbit = std::make_unique<queue::RabbitBroker>(clock, random, metrics, rabbit_broker_options(config));
    rabbit_ = rabbit.get();
    broker_ = std::move(rabbit);
    outbox_ = std::make_shared<queue::RelayedEventOutbox>(clock, random);
  } else {
    auto embedded = std::make_unique<queue::EmbeddedBroker>(store, clock, random, metrics, embedded_broker_options(config));
    outbox_ = std::make_shared<queue::EmbeddedEventOutbox>(*embedded);
    broker_ = std::move(embedded);
  }
}

Messaging::~Messaging() = default;

std::optional<net::HealthCheck> Messaging::health_check() {
  if (rabbit_ == nullptr) return std::nullopt;
  return [rabbit = rabbit_]() -> boost::asio::awaitable<net::HealthStatus> {
    if (co_await rabbit->reachable()) co_return net::HealthStatus{};
    co_return net::HealthStatus{false, "RabbitMQ unreachable"};
  };
}

std::string_view Messaging::kind() const { return rabbit_ != nullptr ? "rabbitmq" : "store"; }

std::optional<BackgroundWorkers::Worker> Messaging::relay(lock::DistributedLock& lock) {
  if (rabbit_ == nullptr || !writes_events_) return std::nullopt;
  if (!relay_) relay_ = std::make_unique<Relay>(store_, *broker_, metrics_, lock);
  auto& job = relay_->job;
  return BackgroundWorkers::Worker{"queue.outbox_relay", [&job] { return job.run(); },
                                   [&job] { job.request_stop(); }};
}

}  // namespace orderly::app
