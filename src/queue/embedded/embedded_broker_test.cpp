// What only the embedded broker does: the outbox (a message enqueued inside a
// data transaction) and the inbox, both in the same store. The behaviour every
// broker shares is in broker_contract_test.cpp.
#include <filesystem>
#include <memory>
#include <set>

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/inbox.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::queue {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr auto kVisibility = 30s;

class EmbeddedBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-queue-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    open();
  }
  void TearDown() override {
    broker_.reset();
    store_.reset();
    std::filesystem::remove_all(folder_);
  }
  void open() {
    broker_.reset();
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/q.db"},
                                                          metrics_);
    run_sync(store::migrate(*store_, store::orderly_migrations()));
    EmbeddedBrokerOptions options;
    options.visibility_timeout = kVisibility;
    options.retry = RetryPolicy{.delivery_limit = 3, .base_delay = 1s, .max_delay = 10s};
    broker_ = std::make_unique<EmbeddedBroker>(*store_, clock_, random_, metrics_, options);
  }

  static Message message(std::string id, std::string queue = "email") {
    return Message{std::move(id), std::move(queue), "order.paid", 2, R"({"order_id":"o1"})",
                   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""};
  }
  std::vector<Delivery> receive(const std::string& queue = "email", std::size_t max = 10) {
    return run_sync(broker_->receive(queue, max));
  }

  std::string folder_;
  core::ManualClock clock_;
  core::SeededRandom random_{42};
  core::metrics::Registry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(EmbeddedBrokerTest, OutboxMessageCommitsOrVanishesWithItsTransaction) {
  EXPECT_THROW(run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
                 co_await broker_->enqueue(tx, message("lost"));
                 throw std::runtime_error("the order insert failed");
               })),
               std::runtime_error);
  EXPECT_TRUE(receive().empty());

  run_sync(store_->transaction([&](store::Transaction& tx) { return broker_->enqueue(tx, message("kept")); }));
  const auto deliveries = receive();
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].message.id, "kept");
}

TEST_F(EmbeddedBrokerTest, InboxRecordsAFirstDeliveryOnce) {
  bool first = false;
  bool second = true;
  run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    first = co_await first_delivery(tx, "m1", "email-worker");
  }));
  run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    second = co_await first_delivery(tx, "m1", "email-worker");
  }));
  EXPECT_TRUE(first);
  EXPECT_FALSE(second) << "a redelivered message must be recognised";

  bool other_consumer = false;
  run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    other_consumer = co_await first_delivery(tx, "m1", "audit");
  }));
  EXPECT_TRUE(other_consumer) << "each consumer has its own record";
}

TEST_F(EmbeddedBrokerTest, AlreadyProcessedSeesOnlyCommittedRecords) {
  EXPECT_FALSE(run_sync(already_processed(*store_, "m1", "email")));
  run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    co_await first_delivery(tx, "m1", "email");
  }));
  EXPECT_TRUE(run_sync(already_processed(*store_, "m1", "email")));
  EXPECT_FALSE(run_sync(already_processed(*store_, "m1", "audit"))) << "per consumer";
}

TEST_F(EmbeddedBrokerTest, InboxRecordRollsBackWithTheEffect) {
  EXPECT_THROW(run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
                 co_await first_delivery(tx, "m1", "email-worker");
                 throw std::runtime_error("sending failed");
               })),
               std::runtime_error);
  bool retry_is_first = false;
  run_sync(store_->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    retry_is_first = co_await first_delivery(tx, "m1", "email-worker");
  }));
  EXPECT_TRUE(retry_is_first) << "a failed attempt must not mark the message as processed";
}

TEST(RetryPolicy, FullJitterStaysWithinTheExponentialCeiling) {
  const RetryPolicy policy{.delivery_limit = 5, .base_delay = 100ms, .max_delay = 1s};
  core::SeededRandom random(3);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const auto first = policy.delay_after(1, random);
    EXPECT_LE(first, 100ms);
    const auto fourth = policy.delay_after(4, random);
    EXPECT_LE(fourth, 800ms);
    EXPECT_LE(policy.delay_after(30, random), 1s) << "capped";
    seen.insert(fourth.count());
  }
  EXPECT_GT(seen.size(), 50U) << "delays must be spread, not synchronised";
}

}  // namespace
}  // namespace orderly::queue
