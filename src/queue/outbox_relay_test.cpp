// The outbox relay against the real servers: PostgreSQL (a fresh schema per
// test, store/postgres/pg_test_support.hpp) and RabbitMQ (ORDERLY_TEST_AMQP,
// a queue name per test).
#include "queue/outbox_relay.hpp"

#include <unistd.h>

#include <latch>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "core/test_servers.hpp"
#include "queue/outbox.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_test_support.hpp"

namespace orderly::queue {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr store::Statement kRows{
    "test.outbox_rows",
    "SELECT id, attempts, last_error, CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END AS sent FROM outbox"
    " ORDER BY created_at, id"};

struct OutboxRow {
  std::string id;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  bool sent = false;
};

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override { run_sync(store::migrate(store_, store::orderly_migrations())); }

  std::unique_ptr<RabbitBroker> broker(std::string uri = orderly::testing::test_server_setting("ORDERLY_TEST_AMQP")) {
    RabbitBrokerOptions options;
    options.uri = std::move(uri);
    options.confirm_timeout = 2s;
    options.call_timeout = 2s;
    return std::make_unique<RabbitBroker>(clock_, random_, metrics_, std::move(options));
  }

  Message message(std::string id = {}, std::string created_at = {}) const {
    return Message{std::move(id), queue_, "order.paid", 1, R"({"order_id":"o1"})", "", std::move(created_at)};
  }

  // Commits `messages` to the outbox in one transaction.
  void add(std::vector<Message> messages) {
    run_sync(store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
      for (const auto& each : messages) co_await add_to_outbox(tx, each, clock_, random_);
    }));
  }

  std::vector<OutboxRow> rows() {
    store::ReadOptions primary;
    primary.allow_replica = false;
    const auto result = run_sync(store_.query(kRows, {}, primary));
    std::vector<OutboxRow> out;
    for (const auto& row : result.rows) {
      out.push_back({row.text("id"), row.int64("attempts"), row.optional_text("last_error"), row.int64("sent") == 1});
    }
    return out;
  }

  // Every message id that arrives on the test queue, acked, with how often it
  // arrived: polls (bounded) until `expected` arrived, then until the queue
  // gives nothing more, so duplicates show up too.
  std::map<std::string, int> receive_ids(Broker& from, std::size_t expected) {
    std::map<std::string, int> ids;
    std::size_t total = 0;
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    int empty_polls = 0;
    while (std::chrono::steady_clock::now() < deadline && (total < expected || empty_polls < 3)) {
      auto batch = run_sync(from.receive(queue_, 32));
      if (batch.empty()) {
        ++empty_polls;
        std::this_thread::sleep_for(20ms);  // pacing a bounded poll; the condition ends it
      }
      for (auto& delivery : batch) {
        ++ids[delivery.message.id];
        ++total;
        run_sync(from.ack(std::move(delivery)));
      }
    }
    return ids;
  }

  core::SystemClock clock_;
  core::FastRandom random_;
  core::metrics::Registry metrics_;
  store::postgres::testing::SchemaStore store_{metrics_};
  std::string queue_ = "orderly-outbox." + std::to_string(::getpid()) + "." + std::to_string(std::random_device{}());
};

TEST_F(OutboxRelayTest, MessageAddedInARolledBackTransactionIsNeverPublished) {
  EXPECT_THROW(run_sync(store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
                 co_await add_to_outbox(tx, message("rolled-back"), clock_, random_);
                 throw std::runtime_error("the state change failed");
               })),
               std::runtime_error);
  auto rabbit = broker();
  OutboxRelay relay(store_, *rabbit, metrics_);
  EXPECT_EQ(run_sync(relay.relay_once()), 0U);
  EXPECT_TRUE(rows().empty());
  EXPECT_TRUE(receive_ids(*rabbit, 0).empty());
}

TEST_F(OutboxRelayTest, CommittedMessagesArePublishedOnceAndMarkedSent) {
  add({message(), message(), message("given-id", "2026-11-21T10:00:00.000Z")});
  auto rabbit = broker();
  OutboxRelay relay(store_, *rabbit, metrics_);
  EXPECT_EQ(run_sync(relay.relay_once()), 3U);
  EXPECT_EQ(run_sync(relay.relay_once()), 0U) << "sent rows are not claimed again";

  const auto stored = rows();
  ASSERT_EQ(stored.size(), 3U);
  EXPECT_EQ(stored[0].id, "given-id") << "oldest first";
  for (const auto& row : stored) {
    EXPECT_EQ(row.id.empty(), false);
    EXPECT_TRUE(row.sent) << row.id;
    EXPECT_EQ(row.attempts, 1) << row.id;
    EXPECT_FALSE(row.last_error) << row.id;
  }
  const auto received = receive_ids(*rabbit, 3);
  ASSERT_EQ(received.size(), 3U);
  for (const auto& row : stored) EXPECT_EQ(received.count(row.id) ? received.at(row.id) : 0, 1) << row.id;
  EXPECT_NE(metrics_.render().find(R"(orderly_outbox_published_total{queue=")" + queue_ + R"("} 3)"),
            std::string::npos);
}

TEST_F(OutboxRelayTest, TwoConcurrentRelaysPublishEachMessageExactlyOnce) {
  constexpr std::size_t kMessages = 200;  // 40 batches: both relays get turns
  std::vector<Message> messages;
  for (std::size_t i = 0; i < kMessages; ++i) messages.push_back(message());
  add(std::move(messages));

  // Small batches so the relays take turns many times; each relay has its own
  // thread, event loop, store connections and broker connection.
  std::vector<std::unique_ptr<RabbitBroker>> brokers;
  std::vector<std::unique_ptr<OutboxRelay>> relays;
  for (int i = 0; i < 2; ++i) {
    brokers.push_back(broker());
    relays.push_back(std::make_unique<OutboxRelay>(store_, *brokers.back(), metrics_, OutboxRelayOptions{5}));
  }
  std::vector<std::size_t> published(2, 0);
  std::vector<std::exception_ptr> errors(2);
  std::latch start(2);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        // Until a call finds nothing it may claim; bounded by the message count.
        run_sync([&]() -> asio::awaitable<void> {
          for (std::size_t round = 0; round <= kMessages; ++round) {
            const auto sent = co_await relays[i]->relay_once();
            published[i] += sent;
            if (sent == 0) break;
          }
        }());
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }

  RecordProperty("relay_a_published", static_cast<int>(published[0]));
  RecordProperty("relay_b_published", static_cast<int>(published[1]));
  EXPECT_EQ(published[0] + published[1], kMessages);
  EXPECT_GT(published[0], 0U) << "both relays published (run in sequence, one would do it all)";
  EXPECT_GT(published[1], 0U);
  const auto stored = rows();
  ASSERT_EQ(stored.size(), kMessages);
  for (const auto& row : stored) {
    EXPECT_TRUE(row.sent) << row.id;
    EXPECT_EQ(row.attempts, 1) << row.id << " was claimed twice";
  }
  const auto received = receive_ids(*brokers[0], kMessages);
  EXPECT_EQ(received.size(), kMessages) << "a message is missing";
  for (const auto& row : stored) {
    const auto found = received.find(row.id);
    EXPECT_TRUE(found != received.end() && found->second == 1)
        << row.id << " arrived " << (found == received.end() ? 0 : found->second) << " times";
  }
}

TEST_F(OutboxRelayTest, BrokerFailureLeavesRowsUnsentUntilALaterRelayPublishesThem) {
  add({message("first", "2026-11-21T10:00:00.000Z"), message("second", "2026-11-21T10:00:01.000Z")});
  {
    auto unreachable = broker("amqp://orderly:secret@127.0.0.1:1/%2f");  // nothing listens on port 1
    OutboxRelay relay(store_, *unreachable, metrics_);
    EXPECT_EQ(run_sync(relay.relay_once()), 0U);
  }
  auto stored = rows();
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_FALSE(stored[0].sent);
  EXPECT_EQ(stored[0].attempts, 1);
  ASSERT_TRUE(stored[0].last_error);
  EXPECT_FALSE(stored[0].last_error->empty());
  EXPECT_EQ(stored[0].last_error->find("secret"), std::string::npos) << "no password in last_error";
  EXPECT_FALSE(stored[1].sent);
  EXPECT_EQ(stored[1].attempts, 0) << "the batch stops at the first failure, keeping the order";
  EXPECT_NE(metrics_.render().find(R"(orderly_outbox_failures_total{queue=")" + queue_ + R"("} 1)"), std::string::npos);

  auto rabbit = broker();
  OutboxRelay relay(store_, *rabbit, metrics_);
  EXPECT_EQ(run_sync(relay.relay_once()), 2U);
  stored = rows();
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_TRUE(stored[0].sent);
  EXPECT_EQ(stored[0].attempts, 2);
  EXPECT_TRUE(stored[1].sent);
  EXPECT_EQ(stored[1].attempts, 1);
  const auto received = receive_ids(*rabbit, 2);
  EXPECT_EQ(received, (std::map<std::string, int>{{"first", 1}, {"second", 1}}));
}

}  // namespace
}  // namespace orderly::queue
