// A stand-alone outbox relay process for the fault tests: relays the outbox
// of a PostgreSQL schema to RabbitMQ until it is empty, then exits 0. With
// --die-after N it kills itself with SIGKILL right after the N-th confirmed
// publish: a crash between publish and mark-sent, as kill -9 would cause.
//
//   orderly_outbox_relay_tool PG_URI AMQP_URI [--die-after N]
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/run_sync.hpp"
#include "queue/outbox_relay.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "store/postgres/postgres_store.hpp"

namespace {

using namespace orderly;

// Passes every call to the real broker; dies after `limit` confirmed publishes.
class DyingBroker final : public queue::Broker {
 public:
  DyingBroker(queue::Broker& inner, long limit) : inner_(inner), limit_(limit) {}
  boost::asio::awaitable<void> publish(queue::Message message) override {
    co_await inner_.publish(std::move(message));
    if (limit_ >= 0 && ++published_ >= limit_) std::raise(SIGKILL);
  }
  boost::asio::awaitable<std::vector<queue::Delivery>> receive(std::string queue, std::size_t max) override {
    return inner_.receive(std::move(queue), max);
  }
  boost::asio::awaitable<bool> ack(queue::Delivery delivery) override { return inner_.ack(std::move(delivery)); }
  boost::asio::awaitable<bool> nack(queue::Delivery delivery, std::string reason) override {
    return inner_.nack(std::move(delivery), std::move(reason));
  }
  boost::asio::awaitable<std::vector<queue::DeadLetter>> dead_letters(std::string queue, std::size_t limit) override {
    return inner_.dead_letters(std::move(queue), limit);
  }
  boost::asio::awaitable<bool> replay(std::string id) override { return inner_.replay(std::move(id)); }

 private:
  queue::Broker& inner_;
  long limit_;
  long published_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 5 && std::string(argv[3]) == "--die-after")) {
    std::cerr << "usage: " << argv[0] << " PG_URI AMQP_URI [--die-after N]\n";
    return 2;
  }
  const long die_after = argc == 5 ? std::stol(argv[4]) : -1;
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  store::postgres::PgOptions pg;
  pg.primary = argv[1];
  store::postgres::PgStore store(pg, metrics);
  queue::RabbitBrokerOptions amqp;
  amqp.uri = argv[2];
  queue::RabbitBroker rabbit(clock, random, metrics, amqp);
  DyingBroker broker(rabbit, die_after);
  // One batch holds the whole test outbox: the crash lands inside it.
  queue::OutboxRelay relay(store, broker, metrics, queue::OutboxRelayOptions{.batch_size = 1000});
  try {
    for (int rounds = 0; rounds < 1000; ++rounds) {
      if (core::run_sync(relay.relay_once()) == 0) return 0;
    }
    std::cerr << "outbox not drained after 1000 rounds\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "relay failed: " << error.what() << "\n";
    return 1;
  }
}
