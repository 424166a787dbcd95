// RabbitBroker against the real RabbitMQ named by ORDERLY_TEST_AMQP (or the
// servers' env file: scripts/servers start DIR rabbitmq). Every test uses
// queues of its own, so runs and tests never see each other's messages.
#include <unistd.h>

#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "core/run_sync.hpp"
#include "core/test_servers.hpp"
#include "queue/rabbitmq/amqp_connection.hpp"
#include "queue/rabbitmq/amqp_uri.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "queue/rabbitmq/retry_ladder.hpp"

namespace orderly::queue {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPatience = 15s;    // upper bound of every wait for the broker
constexpr auto kPollPause = 20ms;  // between polls of a bounded wait, so it does not spin on RabbitMQ
constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::string unique_name(const std::string& what) {
  std::random_device random;
  return "orderly-test." + what + "." + std::to_string(::getpid()) + "." + std::to_string(random());
}

Message message(std::string id, std::string queue) {
  return Message{std::move(id),          std::move(queue), "order.paid",          2,
                 R"({"order_id":"o1"})", kTraceparent,     "2024-05-06T07:08:09Z"};
}

class RabbitBrokerTest : public ::testing::Test {
 protected:
  static RabbitBrokerOptions options() {
    RabbitBrokerOptions options;
    options.uri = orderly::testing::test_server_setting("ORDERLY_TEST_AMQP");
    options.retry = RetryPolicy{.delivery_limit = 3, .base_delay = 200ms, .max_delay = 400ms};
    options.heartbeat = 5s;
    return options;
  }
  std::unique_ptr<RabbitBroker> make_broker(RabbitBrokerOptions custom = options()) {
    return std::make_unique<RabbitBroker>(clock_, random_, metrics_, std::move(custom));
  }

  // Polls until `count` deliveries arrived or kPatience passed.
  static std::vector<Delivery> receive_at_least(RabbitBroker& broker, const std::string& queue, std::size_t count) {
    std::vector<Delivery> received;
    const auto deadline = SteadyClock::now() + kPatience;
    while (received.size() < count && SteadyClock::now() < deadline) {
      auto batch = run_sync(broker.receive(queue, count - received.size()));
      if (batch.empty()) std::this_thread::sleep_for(kPollPause);  // pacing; the loop ends on its condition
      for (auto& delivery : batch) received.push_back(std::move(delivery));
    }
    return received;
  }

  double events(const std::string& queue, const std::string& event) {
    return metrics_
        .counter("orderly_queue_messages_total", "Queue message events, by queue and event.", {"queue", "event"})
        .with_labels({queue, event})
        .value();
  }

  core::SystemClock clock_;
  core::FastRandom random_;
  core::metrics::Registry metrics_;
  std::string queue_ = unique_name("work");
};

TEST_F(RabbitBrokerTest, PublishedMessageIsReceivedThenAckedOnce) {
  auto broker = make_broker();
  run_sync(broker->publish(message("m1", queue_)));
  const auto first = receive_at_least(*broker, queue_, 1);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].message.id, "m1");
  EXPECT_EQ(first[0].attempt, 1);
  EXPECT_TRUE(run_sync(broker->receive(queue_, 10)).empty()) << "an unacked message is invisible to other receives";
  EXPECT_TRUE(run_sync(broker->ack(first[0])));
  EXPECT_FALSE(run_sync(broker->ack(first[0]))) << "a receipt acks once";

  // Had the ack not reached RabbitMQ, closing the connection would put m1
  // back ahead of the marker published after it.
  run_sync(broker->publish(message("marker", queue_)));
  broker = make_broker();
  const auto after = receive_at_least(*broker, queue_, 1);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].message.id, "marker");
  EXPECT_EQ(events(queue_, "published"), 2);
  EXPECT_EQ(events(queue_, "acked"), 1);
}

TEST_F(RabbitBrokerTest, EnvelopeSurvivesTheRoundTrip) {
  auto broker = make_broker();
  run_sync(broker->publish(message("m1", queue_)));
  auto minimal = message("", queue_);
  minimal.created_at.clear();
  run_sync(broker->publish(minimal));

  const auto got = receive_at_least(*broker, queue_, 2);
  ASSERT_EQ(got.size(), 2U);
  const auto& full = got[0].message;
  EXPECT_EQ(full.id, "m1");
  EXPECT_EQ(full.queue, queue_);
  EXPECT_EQ(full.type, "order.paid");
  EXPECT_EQ(full.schema_version, 2);
  EXPECT_EQ(full.payload, R"({"order_id":"o1"})");
  EXPECT_EQ(full.traceparent, kTraceparent);
  EXPECT_EQ(full.created_at, "2024-05-06T07:08:09Z");
  EXPECT_EQ(got[0].attempt, 1);

  const auto& filled = got[1].message;
  EXPECT_EQ(filled.id.size(), 32U) << "an id is generated when the message has none";
  EXPECT_EQ(filled.created_at.size(), 20U) << "created_at is set when the message has none: " << filled.created_at;
  for (const auto& delivery : got) EXPECT_TRUE(run_sync(broker->ack(delivery)));
}

TEST_F(RabbitBrokerTest, QueuesAreSeparate) {
  auto broker = make_broker();
  run_sync(broker->publish(message("m1", queue_)));
  EXPECT_TRUE(run_sync(broker->receive(unique_name("other"), 10)).empty());
  EXPECT_EQ(receive_at_least(*broker, queue_, 1).size(), 1U);
}

TEST_F(RabbitBrokerTest, PrefetchBoundsTheUnackedDeliveries) {
  auto custom = options();
  custom.prefetch = 2;
  auto broker = make_broker(custom);
  for (int i = 0; i < 3; ++i) run_sync(broker->publish(message("m" + std::to_string(i), queue_)));
  const auto held = receive_at_least(*broker, queue_, 2);
  ASSERT_EQ(held.size(), 2U);
  EXPECT_TRUE(run_sync(broker->receive(queue_, 10)).empty()) << "two are out unacked: no room for the third";
  EXPECT_TRUE(run_sync(broker->ack(held[0])));
  const auto third = run_sync(broker->receive(queue_, 10));
  ASSERT_EQ(third.size(), 1U);
  EXPECT_EQ(third[0].message.id, "m2");
}

// The heartbeat the client asks for is the one in force: were none
// negotiated, RabbitMQ would never close a quiet connection and the test
// below would pass without any keep-alive (a login asking for 0 gets 0).
TEST_F(RabbitBrokerTest, HeartbeatAskedForIsNegotiated) {
  rabbitmq::AmqpConnectionSettings settings;
  settings.uri = rabbitmq::parse_amqp_uri(options().uri);
  settings.heartbeat = 1s;
  const rabbitmq::AmqpConnection connection(settings);
  EXPECT_EQ(connection.heartbeat(), 1s);
}

// Slow processing, not synchronisation: the delivery is held for longer than
// RabbitMQ waits for a quiet client (two heartbeats, 1 s each as the test
// above shows) before closing it.
TEST_F(RabbitBrokerTest, DeliveryHeldLongerThanTheHeartbeatCanStillBeAcked) {
  auto custom = options();
  custom.heartbeat = 1s;
  auto broker = make_broker(custom);
  run_sync(broker->publish(message("m1", queue_)));
  const auto got = receive_at_least(*broker, queue_, 1);
  ASSERT_EQ(got.size(), 1U);
  std::this_thread::sleep_for(3500ms);
  EXPECT_TRUE(run_sync(broker->ack(got[0]))) << "the keep-alive kept the connection, and so the delivery";
}

TEST_F(RabbitBrokerTest, UnackedMessageIsRedeliveredWhenItsConsumerGoesAway) {
  auto first_consumer = make_broker();
  run_sync(first_consumer->publish(message("m1", queue_)));
  const auto first = receive_at_least(*first_consumer, queue_, 1);
  ASSERT_EQ(first.size(), 1U);
  first_consumer.reset();  // closes its connection without acking, as a crashed worker would

  auto second_consumer = make_broker();
  const auto again = receive_at_least(*second_consumer, queue_, 1);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].message.id, "m1");
  EXPECT_EQ(again[0].attempt, 2) << "the lost delivery counts as an attempt";
  EXPECT_FALSE(run_sync(second_consumer->ack(first[0]))) << "another broker's receipt";
  EXPECT_TRUE(run_sync(second_consumer->ack(again[0])));
}

TEST_F(RabbitBrokerTest, ReceiptFromBeforeAReconnectIsStale) {
  auto broker = make_broker();
  run_sync(broker->publish(message("m1", queue_)));
  const auto first = receive_at_least(*broker, queue_, 1);
  ASSERT_EQ(first.size(), 1U);

  // Declaring the retry queue as a plain work queue contradicts its
  // arguments: RabbitMQ closes the channel, and the broker its connection.
  EXPECT_THROW(run_sync(broker->receive(queue_ + ".retry.200", 1)), RabbitBrokerError);

  EXPECT_FALSE(run_sync(broker->ack(first[0]))) << "the delivery ended with its connection";
  EXPECT_FALSE(run_sync(broker->nack(first[0], "late"))) << "the delivery ended with its connection";
  const auto again = receive_at_least(*broker, queue_, 1);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].message.id, "m1");
  EXPECT_NE(again[0].receipt, first[0].receipt);
  EXPECT_TRUE(run_sync(broker->ack(again[0])));
}

TEST_F(RabbitBrokerTest, NackedMessageIsRetriedAfterTheDelayThenDeadLetteredThenReplayed) {
  auto broker = make_broker();
  run_sync(broker->publish(message("m1", queue_)));
  auto deliveries = receive_at_least(*broker, queue_, 1);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(deliveries.size(), 1U) << "attempt " << attempt;
    EXPECT_EQ(deliveries[0].message.id, "m1");
    EXPECT_EQ(deliveries[0].attempt, attempt);
    const auto nacked_at = SteadyClock::now();
    ASSERT_TRUE(run_sync(broker->nack(deliveries[0], "smtp timeout")));
    if (attempt == 3) break;
    deliveries = receive_at_least(*broker, queue_, 1);
    EXPECT_GE(SteadyClock::now() - nacked_at, 200ms) << "the retry waits at least the base delay";
  }
  EXPECT_EQ(events(queue_, "retried"), 2);
  EXPECT_EQ(events(queue_, "dead_lettered"), 1);

  // The dead letter was confirmed before nack returned.
  for (int look = 0; look < 2; ++look) {
    const auto dead = run_sync(broker->dead_letters(queue_, 10));
    ASSERT_EQ(dead.size(), 1U) << "reading the dead letters keeps them (look " << look << ")";
    EXPECT_EQ(dead[0].message.id, "m1");
    EXPECT_EQ(dead[0].message.queue, queue_);
    EXPECT_EQ(dead[0].message.traceparent, kTraceparent);
  }
  EXPECT_TRUE(run_sync(broker->receive(queue_, 10)).empty()) << "past the delivery limit";

  EXPECT_FALSE(run_sync(broker->replay("no-such-message")));
  EXPECT_TRUE(run_sync(broker->replay("m1")));
  EXPECT_FALSE(run_sync(broker->replay("m1"))) << "no longer a dead letter";
  EXPECT_EQ(events(queue_, "replayed"), 1);
  const auto replayed = receive_at_least(*broker, queue_, 1);
  ASSERT_EQ(replayed.size(), 1U);
  EXPECT_EQ(replayed[0].message.id, "m1");
  EXPECT_EQ(replayed[0].attempt, 1) << "replay starts a fresh delivery count";
  EXPECT_TRUE(run_sync(broker->ack(replayed[0])));
  EXPECT_TRUE(run_sync(broker->dead_letters(queue_, 10)).empty());
}

TEST_F(RabbitBrokerTest, MessageReturnedUnackedTooOftenIsDeadLettered) {
  auto custom = options();
  custom.retry.delivery_limit = 2;
  auto publisher = make_broker(custom);
  run_sync(publisher->publish(message("poison", queue_)));
  for (int crash = 1; crash <= 2; ++crash) {
    auto consumer = make_broker(custom);
    const auto got = receive_at_least(*consumer, queue_, 1);
    ASSERT_EQ(got.size(), 1U) << "delivery " << crash;
    EXPECT_EQ(got[0].attempt, crash);
  }  // each consumer "crashes": its broker goes away without an ack
  // The third delivery would exceed the limit: receive moves it to the DLQ.
  std::vector<DeadLetter> dead;
  const auto deadline = SteadyClock::now() + kPatience;
  while (dead.empty() && SteadyClock::now() < deadline) {
    EXPECT_TRUE(run_sync(publisher->receive(queue_, 10)).empty());
    dead = run_sync(publisher->dead_letters(queue_, 10));
    if (dead.empty()) std::this_thread::sleep_for(kPollPause);
  }
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].message.id, "poison");
}

TEST_F(RabbitBrokerTest, ConcurrentConsumersNeverShareAMessage) {
  constexpr int kMessages = 30;
  auto publisher = make_broker();
  for (int i = 0; i < kMessages; ++i) run_sync(publisher->publish(message("m" + std::to_string(i), queue_)));

  std::vector<std::unique_ptr<RabbitBroker>> consumers;
  for (int i = 0; i < 3; ++i) consumers.push_back(make_broker());
  asio::io_context context;
  std::multiset<std::string> seen;
  const auto deadline = SteadyClock::now() + kPatience;
  for (int worker = 0; worker < 6; ++worker) {
    auto* broker = consumers[static_cast<std::size_t>(worker) % consumers.size()].get();
    asio::co_spawn(
        context,
        [&, broker]() -> asio::awaitable<void> {
          while (seen.size() < kMessages && SteadyClock::now() < deadline) {
            auto batch = co_await broker->receive(queue_, 2);
            for (auto& delivery : batch) {
              seen.insert(delivery.message.id);
              const bool acked = co_await broker->ack(std::move(delivery));
              EXPECT_TRUE(acked);
            }
          }
        },
        [](std::exception_ptr error) {
          if (error) std::rethrow_exception(error);
        });
  }
  context.run();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << "a message was delivered twice";
}

TEST_F(RabbitBrokerTest, PublishedMessageIsAtTheBrokerWhenPublishReturns) {
  auto publisher = make_broker();
  run_sync(publisher->publish(message("m1", queue_)));
  publisher.reset();
  // No polling: the broker confirmed the message before publish returned.
  auto consumer = make_broker();
  const auto got = run_sync(consumer->receive(queue_, 10));
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].message.id, "m1");
}

// The confirm path itself, on the connection RabbitBroker uses: a refused or
// unroutable message is an error, not a silent success.
TEST_F(RabbitBrokerTest, PublishFailsWhenTheBrokerRefusesOrCannotRouteTheMessage) {
  rabbitmq::AmqpConnectionSettings settings;
  settings.uri = rabbitmq::parse_amqp_uri(options().uri);
  rabbitmq::AmqpConnection connection(settings);
  // A classic queue: a quorum queue admits one message past its length
  // limit before it starts to refuse.
  connection.declare_queue(queue_, {{"x-queue-type", std::string("classic")},
                                    {"x-max-length", std::int64_t{0}},
                                    {"x-overflow", std::string("reject-publish")}});
  const auto sample = message("m1", queue_);
  const rabbitmq::OutgoingProperties properties(sample, 0, "");
  EXPECT_THROW(connection.publish(queue_, properties, sample.payload, SteadyClock::now() + 5s),
               rabbitmq::AmqpPublishError)
      << "a full queue with reject-publish nacks";
  EXPECT_THROW(connection.publish(unique_name("missing"), properties, sample.payload, SteadyClock::now() + 5s),
               rabbitmq::AmqpPublishError)
      << "a mandatory message no queue takes comes back";
  connection.declare_queue(unique_name("usable"), {{"x-queue-type", std::string("quorum")}});
}

TEST_F(RabbitBrokerTest, UnreachableBrokerFailsFastWithoutThePassword) {
  auto custom = options();
  custom.uri = "amqp://orderly:topsecret@127.0.0.1:1/%2f";  // nothing listens on port 1
  custom.reconnect_backoff = 60s;
  custom.reconnect_backoff_max = 60s;
  auto broker = make_broker(custom);
  for (int call = 0; call < 2; ++call) {
    const auto started = SteadyClock::now();
    try {
      run_sync(broker->publish(message("m1", queue_)));
      ADD_FAILURE() << "publish to an unreachable broker succeeded";
    } catch (const RabbitBrokerError& error) {
      EXPECT_EQ(std::string(error.what()).find("topsecret"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("unavailable"), std::string::npos) << error.what();
    }
    EXPECT_LT(SteadyClock::now() - started, 2s) << "call " << call << " backs off instead of waiting";
  }
}

TEST_F(RabbitBrokerTest, ReachableTellsWhetherRabbitMqAnswers) {
  EXPECT_TRUE(run_sync(make_broker()->reachable()));
  auto custom = options();
  custom.uri = "amqp://orderly:orderly@127.0.0.1:1/%2f";  // nothing listens on port 1
  EXPECT_FALSE(run_sync(make_broker(custom)->reachable()));
}

TEST(RabbitUri, ParsesTheUriAndNeverShowsThePassword) {
  const auto uri = rabbitmq::parse_amqp_uri("amqp://orderly:s3cret@127.0.0.1:5673/%2f");
  EXPECT_EQ(uri.host, "127.0.0.1");
  EXPECT_EQ(uri.port, 5673);
  EXPECT_EQ(uri.user, "orderly");
  EXPECT_EQ(uri.password, "s3cret");
  EXPECT_EQ(uri.vhost, "/");
  EXPECT_EQ(uri.redacted(), "amqp://orderly:***@127.0.0.1:5673/%2F");
  EXPECT_EQ(rabbitmq::parse_amqp_uri("amqp://u:p@rabbit/orders").vhost, "orders");
  EXPECT_EQ(rabbitmq::parse_amqp_uri("amqp://u:p@rabbit/orders").port, 5672);
  EXPECT_THROW((void)rabbitmq::parse_amqp_uri("http://u:p@rabbit/"), std::invalid_argument);
  try {
    (void)rabbitmq::parse_amqp_uri("amqp://u:hunter2@:99999/");
    ADD_FAILURE() << "a URI without host and with a bad port parsed";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos);
  }
}

TEST(RabbitRetryLadder, DelaysAreFewStepsWithinThePolicy) {
  const RetryPolicy policy{.delivery_limit = 5, .base_delay = 500ms, .max_delay = 60s};
  const rabbitmq::RetryLadder ladder(policy);
  const std::vector<std::chrono::milliseconds> expected{500ms, 1s, 2s, 4s, 8s, 16s, 32s, 60s};
  EXPECT_EQ(ladder.steps(), expected);
  core::SeededRandom random(7);
  std::set<std::int64_t> used;
  for (int i = 0; i < 200; ++i) {
    const auto first = ladder.delay_after(1, random);
    EXPECT_EQ(first, 500ms) << "the first retry waits the base delay";
    const auto fourth = ladder.delay_after(4, random);
    EXPECT_GE(fourth, 500ms);
    EXPECT_LE(fourth, 4s) << "a step never exceeds the attempt's ceiling";
    used.insert(fourth.count());
    EXPECT_LE(ladder.delay_after(30, random), 60s);
  }
  EXPECT_GT(used.size(), 2U) << "jitter still spreads retries over the steps";
  EXPECT_TRUE(
      rabbitmq::RetryLadder(RetryPolicy{.delivery_limit = 3, .base_delay = 0ms, .max_delay = 1s}).steps().empty());
  EXPECT_EQ(rabbitmq::retry_queue_name("email", 200ms), "email.retry.200");
  EXPECT_EQ(rabbitmq::dead_letter_queue_name("email"), "email.dlq");
}

}  // namespace
}  // namespace orderly::queue
