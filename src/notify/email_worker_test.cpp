// The email worker end to end on the embedded broker and a real SQLite store:
// events become one notification row and one maildir file each, whatever the
// redeliveries; failures retry, dead-letter, and replay.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "notify/email_worker.hpp"
#include "notify/maildir_channel.hpp"
#include "notify/order_events.hpp"
#include "notify/schema.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::notify {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kDeliveryLimit = 3;

// The maildir channel, with a switch that makes every send fail and a gate
// that can hold a send in flight.
class ControlledChannel final : public EmailChannel {
 public:
  explicit ControlledChannel(fs::path root) : maildir_(std::move(root), Mailbox{"Orderly", "orders@orderly.local"}) {}
  [[nodiscard]] std::string_view name() const override { return "maildir"; }
  void send(const Email& email) override {
    {
      std::unique_lock lock(mutex_);
      ++entered_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return !held_; });
    }
    ++sends_;
    if (broken_) throw DeliveryError("smtp: Timeout was reached");
    maildir_.send(email);
  }

  void hold() {
    const std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      const std::lock_guard lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  bool wait_entered(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return entered_ >= count; });
  }

  std::atomic<bool> broken_{false};
  std::atomic<int> sends_{0};

 private:
  MaildirChannel maildir_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  int entered_ = 0;
};

class EmailWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-notify-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/o.db"},
                                                          metrics_);
    run_sync(store::migrate(*store_, store::orderly_migrations()));
    run_sync(store::migrate(*store_, notify_migrations()));
    queue::EmbeddedBrokerOptions options;
    options.visibility_timeout = 30s;
    options.retry = queue::RetryPolicy{.delivery_limit = kDeliveryLimit, .base_delay = 1s, .max_delay = 10s};
    broker_ = std::make_unique<queue::EmbeddedBroker>(*store_, clock_, random_, metrics_, options);
    channel_ = std::make_unique<ControlledChannel>(maildir());
    worker_ = std::make_unique<EmailWorker>(*broker_, *store_, *channel_, clock_, random_, metrics_,
                                            EmailWorkerOptions{.queue = "notifications",
                                                               .concurrency = 2,
                                                               .poll_interval = 5ms,
                                                               .delivery_limit = kDeliveryLimit});
  }
  void TearDown() override {
    worker_.reset();
    broker_.reset();
    store_.reset();
    fs::remove_all(folder_);
  }

  fs::path maildir() const { return fs::path(folder_) / "maildir"; }
  std::size_t mails() const {
    std::size_t count = 0;
    for (const char* sub : {"new", "cur"}) {
      count += static_cast<std::size_t>(
          std::distance(fs::directory_iterator(maildir() / sub), fs::directory_iterator{}));
    }
    return count;
  }

  static OrderEvent event(std::string order_id, std::string user_id = "usr_1") {
    return OrderEvent{std::move(order_id), std::move(user_id), "ada@example.com", "Ada", core::Money{2500, "EUR"},
                      ""};
  }
  void publish(std::string id, OrderEventType type, const OrderEvent& payload) {
    auto message = order_event_message(type, payload);
    message.id = std::move(id);
    run_sync(broker_->publish(message));
  }
  void publish_raw(queue::Message message) {
    message.queue = "notifications";
    run_sync(broker_->publish(message));
  }
  std::optional<Notification> row(const std::string& message_id) {
    NotificationStore notifications(*store_);
    return run_sync(notifications.find_by_message(message_id));
  }
  std::size_t poll() { return run_sync(worker_->poll_once(10)); }
  // Past any back-off the retry policy can pick.
  void let_retries_come_due() { clock_.advance(11s); }
  std::vector<queue::DeadLetter> dead() { return run_sync(broker_->dead_letters("notifications", 10)); }

  std::string folder_;
  core::ManualClock clock_;
  core::SeededRandom random_{7};
  core::metrics::Registry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<queue::EmbeddedBroker> broker_;
  std::unique_ptr<ControlledChannel> channel_;
  std::unique_ptr<EmailWorker> worker_;
};

TEST_F(EmailWorkerTest, AnEventBecomesOneSentNotificationAndOneEmail) {
  publish("m1", OrderEventType::paid, event("ord_1"));
  EXPECT_EQ(poll(), 1U);

  const auto notification = row("m1");
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->status, "sent");
  EXPECT_EQ(notification->attempts, 1);
  EXPECT_EQ(notification->template_name, "payment_confirmed");
  EXPECT_EQ(notification->channel, "maildir");
  EXPECT_EQ(notification->user_id, "usr_1");
  EXPECT_EQ(notification->order_id, "ord_1");
  EXPECT_EQ(mails(), 1U);
  EXPECT_TRUE(fs::exists(maildir() / "new" / MaildirChannel::file_name("m1")));
  EXPECT_EQ(poll(), 0U) << "acked: the queue is empty";
}

TEST_F(EmailWorkerTest, AMessageDeliveredTwiceSendsOneEmail) {
  publish("m1", OrderEventType::created, event("ord_1"));
  const auto first = run_sync(broker_->receive("notifications", 1));
  ASSERT_EQ(first.size(), 1U);
  clock_.advance(31s);  // the lease runs out before the first consumer finishes
  const auto second = run_sync(broker_->receive("notifications", 1));
  ASSERT_EQ(second.size(), 1U);
  ASSERT_EQ(second[0].message.id, "m1");

  run_sync(worker_->handle(first[0]));   // sends; its ack is stale
  run_sync(worker_->handle(second[0]));  // the inbox says done: acked, nothing sent
  EXPECT_EQ(channel_->sends_.load(), 1);
  EXPECT_EQ(mails(), 1U);
  EXPECT_EQ(row("m1")->status, "sent");
  EXPECT_EQ(row("m1")->attempts, 1);
  clock_.advance(31s);
  EXPECT_EQ(poll(), 0U) << "the second delivery's ack removed the message";
}

TEST_F(EmailWorkerTest, ASendRepeatedAfterACrashStillLeavesOneEmail) {
  // The worker sent, then died before marking it: the redelivery sends again,
  // and the maildir recognises the message id.
  publish("m1", OrderEventType::shipped, event("ord_1"));
  ControlledChannel direct(maildir());
  direct.send(Email{"m1", "ada@example.com", "Order ord_1 shipped", "x", clock_.now()});
  EXPECT_EQ(poll(), 1U);
  EXPECT_EQ(mails(), 1U);
  EXPECT_EQ(row("m1")->status, "sent");
}

TEST_F(EmailWorkerTest, AFailingChannelRetriesThenDeadLettersThenReplaySends) {
  channel_->broken_ = true;
  publish("m1", OrderEventType::cancelled, event("ord_1"));
  for (int attempt = 1; attempt <= kDeliveryLimit; ++attempt) {
    ASSERT_EQ(poll(), 1U) << "attempt " << attempt;
    const auto notification = row("m1");
    ASSERT_TRUE(notification);
    EXPECT_EQ(notification->attempts, attempt);
    EXPECT_EQ(notification->status, attempt < kDeliveryLimit ? "queued" : "failed");
    EXPECT_EQ(notification->last_error, "smtp: Timeout was reached");
    let_retries_come_due();
  }
  EXPECT_EQ(poll(), 0U) << "dead-lettered: no more deliveries";
  const auto letters = dead();
  ASSERT_EQ(letters.size(), 1U);
  EXPECT_EQ(letters[0].message.id, "m1");
  EXPECT_EQ(letters[0].attempts, kDeliveryLimit);
  EXPECT_EQ(letters[0].last_error, "smtp: Timeout was reached");
  EXPECT_EQ(mails(), 0U);

  channel_->broken_ = false;
  EXPECT_TRUE(run_sync(broker_->replay("m1")));
  EXPECT_EQ(poll(), 1U);
  EXPECT_EQ(row("m1")->status, "sent");
  EXPECT_EQ(row("m1")->attempts, kDeliveryLimit + 1);
  EXPECT_EQ(mails(), 1U);
  EXPECT_TRUE(dead().empty());
}

TEST_F(EmailWorkerTest, UnknownTypesAndVersionsAreDeadLetteredNotSent) {
  publish_raw(queue::Message{"m-type", "", "order.refunded", 1, to_json(event("ord_1")), "", ""});
  publish_raw(queue::Message{"m-version", "", "order.paid", 2, to_json(event("ord_2")), "", ""});
  publish_raw(queue::Message{"m-payload", "", "order.paid", 1, R"({"order_id": 7})", "", ""});
  for (int attempt = 1; attempt <= kDeliveryLimit; ++attempt) {
    EXPECT_EQ(poll(), 3U);
    let_retries_come_due();
  }
  const auto letters = dead();
  ASSERT_EQ(letters.size(), 3U);
  std::map<std::string, std::string> reasons;
  for (const auto& letter : letters) reasons[letter.message.id] = letter.last_error;
  EXPECT_EQ(reasons["m-type"], "unknown event type");
  EXPECT_EQ(reasons["m-version"], "unsupported schema version 2");
  EXPECT_EQ(reasons["m-payload"], "invalid payload: field order_id must be a string");
  EXPECT_EQ(channel_->sends_.load(), 0);
  EXPECT_FALSE(row("m-type"));
}

TEST_F(EmailWorkerTest, HeaderInjectionInAnEventFailsTheNotificationAndSendsNothing) {
  auto hostile = event("ord_1\r\nBcc: all@example.com");
  publish("m1", OrderEventType::created, hostile);
  for (int attempt = 1; attempt <= kDeliveryLimit; ++attempt) {
    EXPECT_EQ(poll(), 1U);
    let_retries_come_due();
  }
  EXPECT_EQ(row("m1")->status, "failed");
  EXPECT_EQ(row("m1")->last_error, "header Subject contains a control character");
  EXPECT_EQ(mails(), 0U);
  EXPECT_EQ(dead().size(), 1U);
}

TEST_F(EmailWorkerTest, ThreadsDrainTheQueue) {
  for (int i = 0; i < 6; ++i) publish("m" + std::to_string(i), OrderEventType::paid, event("ord_" + std::to_string(i)));
  worker_->start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (mails() < 6 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  worker_->stop();
  EXPECT_EQ(mails(), 6U);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(row("m" + std::to_string(i))->status, "sent") << i;
}

TEST_F(EmailWorkerTest, StopFinishesTheMessageInFlight) {
  channel_->hold();
  publish("m1", OrderEventType::paid, event("ord_1"));
  worker_->start();
  ASSERT_TRUE(channel_->wait_entered(1, 10s)) << "a lane picked the message up";

  // The send is released only once stop() has begun; a stop() that did not
  // wait for it would have returned by then, before the release.
  std::atomic<bool> released{false};
  std::atomic<bool> returned_after_release{false};
  std::thread stopper([&] {
    worker_->stop();
    returned_after_release = released.load();
  });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!worker_->stopping() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  const bool began = worker_->stopping();
  released = true;
  channel_->release();
  stopper.join();
  ASSERT_TRUE(began) << "stop() did not begin within 10 s";
  EXPECT_TRUE(returned_after_release.load()) << "stop() returned while a message was in flight";
  EXPECT_EQ(row("m1")->status, "sent");
  EXPECT_EQ(mails(), 1U);
  EXPECT_EQ(poll(), 0U) << "the in-flight message was acked before the stop completed";
}

}  // namespace
}  // namespace orderly::notify
