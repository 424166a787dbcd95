// Fault tests: RabbitMQ's application is restarted (scripts/servers bounce)
// while a publisher is publishing, and while messages wait in a queue. Every
// publish that returned (the broker confirmed it) must still be in the queue
// afterwards; publishes that failed during the outage are the caller's to
// retry. Run alone (RUN_SERIAL): they take the shared broker down.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/run_sync.hpp"
#include "core/test_servers.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"

namespace orderly::queue {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string servers_dir() {
  const char* env_file = std::getenv("ORDERLY_TEST_SERVERS_ENV");
  if (env_file == nullptr) throw std::runtime_error("ORDERLY_TEST_SERVERS_ENV is not set (run through ctest)");
  return std::filesystem::path(env_file).parent_path().string();
}

RabbitBrokerOptions options() {
  RabbitBrokerOptions options;
  options.uri = orderly::testing::test_server_setting("ORDERLY_TEST_AMQP");
  options.call_timeout = 2s;
  options.confirm_timeout = 2s;
  options.reconnect_backoff = 50ms;
  options.reconnect_backoff_max = 500ms;
  return options;
}

int bounce_rabbitmq() {
  const auto command = std::string(ORDERLY_SOURCE_DIR) + "/scripts/servers bounce " + servers_dir() + " rabbitmq";
  return std::system(command.c_str());
}

TEST(BrokerFault, NoConfirmedMessageIsLostWhenRabbitMqRestartsMidPublish) {
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  std::random_device seed;
  const auto queue = "orderly-fault." + std::to_string(::getpid()) + "." + std::to_string(seed());

  std::atomic<int> published{0};
  std::atomic<bool> bounced{false};
  int bounce_status = -1;
  std::thread bouncer([&] {
    // Restart once publishing is under way (bounded wait).
    const auto deadline = SteadyClock::now() + 30s;
    while (published.load() < 50 && SteadyClock::now() < deadline) std::this_thread::yield();
    bounce_status = bounce_rabbitmq();
    bounced = true;
  });

  std::set<std::string> confirmed;
  int failed = 0;
  int after_bounce = 0;
  {
    RabbitBroker broker(clock, random, metrics, options());
    const auto deadline = SteadyClock::now() + 60s;
    // Bounded by the deadline, not a count: a publish that fails at once
    // (connection refused while RabbitMQ is down) must not use up the loop
    // before the broker is back.
    for (int i = 0; SteadyClock::now() < deadline && after_bounce < 100; ++i) {
      const auto id = "m" + std::to_string(i);
      const bool restarted = bounced.load();
      try {
        core::run_sync(broker.publish(Message{id, queue, "order.paid", 1, "{}", "", ""}));
        confirmed.insert(id);
        if (restarted) ++after_bounce;
      } catch (const RabbitBrokerError&) {
        ++failed;  // the outage: not confirmed, so not promised
        // What a real publisher does while its broker is away: back off a
        // little instead of spinning (this paces the client, it does not
        // wait for an event of the test).
        std::this_thread::sleep_for(5ms);
      }
      ++published;
    }
  }
  bouncer.join();
  ASSERT_EQ(bounce_status, 0) << "scripts/servers bounce failed";
  EXPECT_GE(after_bounce, 100) << "publishing did not resume after the restart";

  // Everything confirmed is there, once the broker is back.
  std::set<std::string> received;
  RabbitBroker consumer(clock, random, metrics, options());
  const auto deadline = SteadyClock::now() + 60s;
  while (received.size() < confirmed.size() && SteadyClock::now() < deadline) {
    const auto batch = core::run_sync(consumer.receive(queue, 64));
    for (const auto& delivery : batch) {
      received.insert(delivery.message.id);
      core::run_sync(consumer.ack(delivery));
    }
  }
  std::vector<std::string> lost;
  std::set_difference(confirmed.begin(), confirmed.end(), received.begin(), received.end(), std::back_inserter(lost));
  EXPECT_TRUE(lost.empty()) << lost.size() << " confirmed messages lost, e.g. " << (lost.empty() ? "" : lost.front());
  RecordProperty("confirmed", static_cast<int>(confirmed.size()));
  RecordProperty("failed_during_outage", failed);
}

// The property the broker contract's client restart cannot show: the
// server itself restarts, so a queue or message that is not durable is gone.
TEST(BrokerFault, QueuedMessagesSurviveARabbitMqRestart) {
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  std::random_device seed;
  const auto queue = "orderly-fault-idle." + std::to_string(::getpid()) + "." + std::to_string(seed());
  constexpr int kMessages = 10;

  // The holder keeps one delivery unacked across the restart: it comes back
  // only if the restart really cut the holder's connection.
  RabbitBroker holder(clock, random, metrics, options());
  for (int i = 0; i < kMessages; ++i) {
    core::run_sync(holder.publish(Message{"m" + std::to_string(i), queue, "order.paid", 1, "{}", "", ""}));
  }
  std::vector<Delivery> held;
  const auto hold_deadline = SteadyClock::now() + 15s;
  while (held.empty() && SteadyClock::now() < hold_deadline) held = core::run_sync(holder.receive(queue, 1));
  ASSERT_EQ(held.size(), 1U);

  ASSERT_EQ(bounce_rabbitmq(), 0) << "scripts/servers bounce failed";

  RabbitBroker consumer(clock, random, metrics, options());
  std::set<std::string> received;
  int redelivered_held = 0;
  const auto deadline = SteadyClock::now() + 60s;
  while (received.size() < kMessages && SteadyClock::now() < deadline) {
    try {
      const auto batch = core::run_sync(consumer.receive(queue, kMessages));
      for (const auto& delivery : batch) {
        received.insert(delivery.message.id);
        if (delivery.message.id == held[0].message.id && delivery.attempt >= 2) ++redelivered_held;
        core::run_sync(consumer.ack(delivery));
      }
    } catch (const RabbitBrokerError&) {
      std::this_thread::sleep_for(50ms);  // the node is still starting its queues: back off, as a worker does
    }
  }
  EXPECT_EQ(received.size(), static_cast<std::size_t>(kMessages)) << "queued messages lost in the restart";
  EXPECT_EQ(redelivered_held, 1) << "the held delivery came back only if the restart dropped its connection";
}

}  // namespace
}  // namespace orderly::queue
