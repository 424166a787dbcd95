// One contract for every Broker implementation, run through the Broker
// interface against each: the embedded queue (with a manual clock) and
// RabbitMQ (the real server from the test fixture). Behaviour only one of
// them has is tested beside it: embedded_broker_test.cpp (outbox, inbox,
// restart from the file), rabbit_broker_test.cpp (confirms, prefetch,
// heartbeats, reconnects); a RabbitMQ server restart is in the fault suite
// (tests/fault/broker_restart_test.cpp).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "core/test_servers.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::queue {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace asio = boost::asio;

// Both brokers get the same small policy, so the suite runs in seconds.
const RetryPolicy kRetry{.delivery_limit = 3, .base_delay = 200ms, .max_delay = 400ms};

// What a case needs from an implementation beyond the Broker interface.
class Harness {
 public:
  virtual ~Harness() = default;
  virtual Broker& broker() = 0;
  // A queue name no other test or run uses.
  virtual std::string queue() = 0;
  // The consumer holding unacked deliveries goes away (crash, lost lease).
  virtual void lose_consumer() = 0;
  // Time passes until nacked messages are due again.
  virtual void let_retries_come_due() = 0;
  // The process using the broker restarts: a new Broker on the same file or
  // server. Committed messages must still be there. For the embedded broker
  // that is the broker itself restarting; a restart of the RabbitMQ server is
  // the fault suite's (tests/fault/broker_restart_test.cpp), since it would
  // cut off every suite running beside this one.
  virtual void restart_client() = 0;
  // Receives until `count` messages arrived, waiting (bounded) as the
  // implementation needs: a real broker delivers asynchronously.
  virtual std::vector<Delivery> receive(const std::string& queue, std::size_t count) = 0;
};

class EmbeddedHarness final : public Harness {
 public:
  EmbeddedHarness() {
    char folder[] = "/tmp/orderly-broker-XXXXXX";
    if (mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp");
    folder_ = folder;
    open();
  }
  ~EmbeddedHarness() override {
    broker_.reset();
    store_.reset();
    std::filesystem::remove_all(folder_);
  }
  Broker& broker() override { return *broker_; }
  std::string queue() override { return "email"; }
  void lose_consumer() override { clock_.advance(31s); }  // past the visibility timeout
  void let_retries_come_due() override { clock_.advance(kRetry.max_delay + 1ms); }
  void restart_client() override { open(); }
  std::vector<Delivery> receive(const std::string& queue, std::size_t count) override {
    return run_sync(broker_->receive(queue, count));
  }

 private:
  void open() {
    broker_.reset();
    store_.reset();
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/q.db"},
                                                          metrics_);
    run_sync(store::migrate(*store_, store::orderly_migrations()));
    broker_ = std::make_unique<EmbeddedBroker>(
        *store_, clock_, random_, metrics_, EmbeddedBrokerOptions{.visibility_timeout = 30s, .retry = kRetry});
  }

  std::string folder_;
  core::ManualClock clock_;
  core::SeededRandom random_{42};
  core::metrics::Registry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<EmbeddedBroker> broker_;
};

class RabbitHarness final : public Harness {
 public:
  RabbitHarness() { broker_ = make(); }
  Broker& broker() override { return *broker_; }
  std::string queue() override {
    std::random_device random;
    return "orderly-contract." + std::to_string(::getpid()) + "." + std::to_string(random());
  }
  void lose_consumer() override { broker_ = make(); }  // its connection closes: RabbitMQ requeues
  void let_retries_come_due() override {}               // the retry queues' TTL runs in real time
  void restart_client() override { broker_ = make(); }
  std::vector<Delivery> receive(const std::string& queue, std::size_t count) override {
    std::vector<Delivery> received;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (received.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto batch = run_sync(broker_->receive(queue, count - received.size()));
      if (batch.empty()) std::this_thread::sleep_for(20ms);  // pacing a bounded poll; the condition ends it
      for (auto& delivery : batch) received.push_back(std::move(delivery));
    }
    return received;
  }

 private:
  std::unique_ptr<RabbitBroker> make() {
    broker_.reset();
    RabbitBrokerOptions options;
    options.uri = orderly::testing::test_server_setting("ORDERLY_TEST_AMQP");
    options.retry = kRetry;
    return std::make_unique<RabbitBroker>(clock_, random_, metrics_, std::move(options));
  }

  core::SystemClock clock_;
  core::FastRandom random_;
  core::metrics::Registry metrics_;
  std::unique_ptr<RabbitBroker> broker_;
};

struct Implementation {
  std::string name;
  std::function<std::unique_ptr<Harness>()> make;
};

void PrintTo(const Implementation& implementation, std::ostream* out) { *out << implementation.name; }

class BrokerContract : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    queue_ = harness_->queue();
  }
  Message message(std::string id) const {
    return Message{std::move(id),          queue_, "order.paid", 2,
                   R"({"order_id":"o1"})", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                   "2026-11-21T10:00:00Z"};
  }
  Broker& broker() { return harness_->broker(); }

  std::unique_ptr<Harness> harness_;
  std::string queue_;
};

TEST_P(BrokerContract, PublishedMessageArrivesWithItsEnvelopeAndAnAckRemovesIt) {
  run_sync(broker().publish(message("m1")));
  const auto got = harness_->receive(queue_, 1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].message.id, "m1");
  EXPECT_EQ(got[0].message.queue, queue_);
  EXPECT_EQ(got[0].message.type, "order.paid");
  EXPECT_EQ(got[0].message.schema_version, 2);
  EXPECT_EQ(got[0].message.payload, R"({"order_id":"o1"})");
  EXPECT_EQ(got[0].message.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_FALSE(got[0].message.created_at.empty());
  EXPECT_EQ(got[0].attempt, 1);
  EXPECT_TRUE(run_sync(broker().ack(got[0])));

  harness_->lose_consumer();
  EXPECT_TRUE(run_sync(broker().receive(queue_, 10)).empty()) << "an acked message must not come back";
}

TEST_P(BrokerContract, QueuesAreSeparate) {
  run_sync(broker().publish(message("m1")));
  EXPECT_TRUE(run_sync(broker().receive(queue_ + ".other", 10)).empty());
  EXPECT_EQ(harness_->receive(queue_, 1).size(), 1U);
}

TEST_P(BrokerContract, UnackedMessageIsRedeliveredWhenItsConsumerGoesAway) {
  run_sync(broker().publish(message("m1")));
  const auto first = harness_->receive(queue_, 1);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_TRUE(run_sync(broker().receive(queue_, 10)).empty()) << "a delivered message is invisible to others";
  harness_->lose_consumer();
  const auto again = harness_->receive(queue_, 1);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].message.id, "m1");
  EXPECT_EQ(again[0].attempt, 2);
  EXPECT_FALSE(run_sync(broker().ack(first[0]))) << "the lost consumer's receipt is stale";
  EXPECT_TRUE(run_sync(broker().ack(again[0])));
}

TEST_P(BrokerContract, NackedMessageIsRetriedThenDeadLetteredThenReplayed) {
  run_sync(broker().publish(message("m1")));
  for (int attempt = 1; attempt <= kRetry.delivery_limit; ++attempt) {
    const auto got = harness_->receive(queue_, 1);
    ASSERT_EQ(got.size(), 1U) << "attempt " << attempt;
    EXPECT_EQ(got[0].attempt, attempt);
    EXPECT_TRUE(run_sync(broker().nack(got[0], "smtp timeout")));
    harness_->let_retries_come_due();
  }

  std::vector<DeadLetter> dead;
  for (int poll = 0; poll < 100 && dead.empty(); ++poll) {
    dead = run_sync(broker().dead_letters(queue_, 10));  // a real broker moves it asynchronously
    if (dead.empty()) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(dead.size(), 1U) << "past the delivery limit the message is dead-lettered";
  EXPECT_EQ(dead[0].message.id, "m1");
  EXPECT_EQ(dead[0].attempts, kRetry.delivery_limit);
  EXPECT_EQ(dead[0].last_error, "smtp timeout") << "operators see why it was given up";
  EXPECT_TRUE(run_sync(broker().receive(queue_, 10)).empty());

  EXPECT_TRUE(run_sync(broker().replay("m1")));
  EXPECT_FALSE(run_sync(broker().replay("m1"))) << "no longer a dead letter";
  const auto replayed = harness_->receive(queue_, 1);
  ASSERT_EQ(replayed.size(), 1U);
  EXPECT_EQ(replayed[0].attempt, 1) << "replay starts a fresh delivery count";
  EXPECT_TRUE(run_sync(broker().ack(replayed[0])));
  EXPECT_TRUE(run_sync(broker().dead_letters(queue_, 10)).empty());
}

TEST_P(BrokerContract, ConcurrentConsumersNeverShareAMessage) {
  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) run_sync(broker().publish(message("m" + std::to_string(i))));
  asio::io_context context;
  std::multiset<std::string> seen;
  for (int consumer = 0; consumer < 4; ++consumer) {
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          for (int empty_polls = 0; empty_polls < 3 && seen.size() < kMessages;) {
            auto batch = co_await broker().receive(queue_, 3);
            if (batch.empty()) ++empty_polls;
            for (auto& delivery : batch) {
              seen.insert(delivery.message.id);
              co_await broker().ack(std::move(delivery));
            }
          }
        },
        [](std::exception_ptr error) {
          if (error) std::rethrow_exception(error);
        });
  }
  context.run();
  const std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), seen.size()) << "a message was delivered to two consumers";
  // Stragglers a consumer gave up on are still there, once each.
  for (auto& late : harness_->receive(queue_, kMessages - distinct.size())) seen.insert(late.message.id);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kMessages));
}

TEST_P(BrokerContract, PoisonMessageIsDeadLetteredWhileTheMessagesBehindItFlow) {
  run_sync(broker().publish(message("poison")));
  for (int i = 0; i < 5; ++i) run_sync(broker().publish(message("good" + std::to_string(i))));

  std::set<std::string> processed;  // each good message, acked at its first delivery
  std::vector<DeadLetter> dead;
  for (int round = 0; round < 300 && (processed.size() < 5 || dead.empty()); ++round) {
    auto batch = run_sync(broker().receive(queue_, 10));
    for (auto& delivery : batch) {
      if (delivery.message.id == "poison") {
        EXPECT_TRUE(run_sync(broker().nack(delivery, "cannot parse payload")));
      } else {
        EXPECT_EQ(delivery.attempt, 1) << "a good message waited behind the poison one";
        processed.insert(delivery.message.id);
        EXPECT_TRUE(run_sync(broker().ack(delivery)));
      }
    }
    if (batch.empty()) {
      harness_->let_retries_come_due();
      dead = run_sync(broker().dead_letters(queue_, 10));
      if (dead.empty()) std::this_thread::sleep_for(10ms);  // pacing a bounded poll
    }
  }
  EXPECT_EQ(processed.size(), 5U);
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].message.id, "poison");
}

TEST_P(BrokerContract, PublishedMessagesSurviveTheClientRestarting) {
  run_sync(broker().publish(message("m1")));
  harness_->restart_client();
  const auto got = harness_->receive(queue_, 1);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].message.id, "m1");
}

INSTANTIATE_TEST_SUITE_P(
    Implementations, BrokerContract,
    ::testing::Values(Implementation{"embedded", [] { return std::unique_ptr<Harness>(new EmbeddedHarness()); }},
                      Implementation{"rabbitmq", [] { return std::unique_ptr<Harness>(new RabbitHarness()); }}),
    [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::queue
