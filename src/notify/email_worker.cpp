#include "notify/email_worker.hpp"

#include <ctime>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "notify/account_email.hpp"
#include "notify/order_events.hpp"
#include "notify/templates.hpp"
#include "queue/inbox.hpp"

namespace orderly::notify {
namespace asio = boost::asio;

// One polling loop on a thread and io_context of its own: a blocking send
// (an SMTP conversation, an fsync) holds up only its own lane, never an HTTP
// event loop or another lane.
struct EmailWorker::Lane {
  asio::io_context context{1};
  asio::steady_timer idle{context};
  std::thread thread;
};

EmailWorker::EmailWorker(queue::Broker& broker, store::Store& store, EmailChannel& channel, const core::Clock& clock,
                         core::Random& random, core::metrics::Registry& metrics, EmailWorkerOptions options)
    : broker_(broker),
      store_(store),
      channel_(channel),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      notifications_(store),
      emails_(metrics.counter("orderly_notify_emails_total",
                              "Notification emails by channel and outcome (sent, failed, duplicate, rejected).",
                              {"channel", "outcome"})) {}

EmailWorker::~EmailWorker() { stop(); }

std::string EmailWorker::now_text() const {
  const auto now = clock_.now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = millis / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, millis % 1000);
}

void EmailWorker::count(const char* outcome) { emails_.with_labels({std::string(channel_.name()), outcome}).inc(); }

asio::awaitable<void> EmailWorker::refuse(queue::Delivery delivery, std::string reason) {
  core::log::warn("notify.event_refused", {{"message_id", delivery.message.id},
                                           {"type", delivery.message.type},
                                           {"schema_version", delivery.message.schema_version},
                                           {"attempt", delivery.attempt},
                                           {"reason", reason}});
  count("rejected");
  co_await broker_.nack(std::move(delivery), std::move(reason));
}

// An account mail (auth/api/account_events.hpp): checked like an order event.
asio::awaitable<void> EmailWorker::handle_account(queue::Delivery delivery, auth::AccountEventType type) {
  const auto& message = delivery.message;
  if (message.schema_version != auth::kAccountEventSchemaVersion) {
    std::string reason = "unsupported schema version " + std::to_string(message.schema_version);
    co_await refuse(std::move(delivery), std::move(reason));
    co_return;
  }
  std::optional<auth::AccountEvent> event;
  std::string invalid;
  try {
    event = auth::account_event_from_json(message.payload);
  } catch (const auth::InvalidAccountEvent& error) {
    invalid = error.what();
  }
  if (!event) {
    std::string reason = "invalid payload: " + invalid;
    co_await refuse(std::move(delivery), std::move(reason));
    co_return;
  }
  Outgoing mail{event->user_id, "", event->email, render_account_email(type, *event)};
  co_await deliver(std::move(delivery), std::move(mail));
}

asio::awaitable<void> EmailWorker::handle(queue::Delivery delivery) {
  const auto& message = delivery.message;
  if (const auto account = auth::parse_account_event_type(message.type)) {
    co_await handle_account(std::move(delivery), *account);
    co_return;
  }
  const auto type = parse_order_event_type(message.type);
  if (!type) {
    std::string reason = "unknown event type";
    co_await refuse(std::move(delivery), std::move(reason));
    co_return;
  }
  if (message.schema_version != kOrderEventSchemaVersion) {
    std::string reason = "unsupported schema version " + std::to_string(message.schema_version);
    co_await refuse(std::move(delivery), std::move(reason));
    co_return;
  }
  std::optional<OrderEvent> event;
  std::string invalid;
  try {
    event = order_event_from_json(message.payload);
  } catch (const InvalidOrderEvent& error) {
    invalid = error.what();
  }
  if (!event) {
    std::string reason = "invalid payload: " + invalid;
    co_await refuse(std::move(delivery), std::move(reason));
    co_return;
  }

  Outgoing mail{event->user_id, event->order_id, event->email, render_order_email(*type, *event)};
  co_await deliver(std::move(delivery), std::move(mail));
}

asio::awaitable<void> EmailWorker::deliver(queue::Delivery delivery, Outgoing mail) {
  const auto& message = delivery.message;
  const bool done = co_await queue::already_processed(store_, message.id, kConsumer);
  if (done) {
    const bool acked = co_await broker_.ack(delivery);
    count("duplicate");
    core::log::info("notify.email_duplicate", {{"message_id", message.id}, {"acked", acked}});
    co_return;
  }

  const auto& rendered = mail.rendered;
  Notification row{core::random_hex(random_, 16), mail.user_id, mail.order_id, std::string(channel_.name()),
                   rendered.template_name, "queued", 0, std::nullopt, {}};
  const auto recorded = co_await notifications_.record_queued(std::move(row), message.id, now_text());

  std::string failure;
  try {
    channel_.send(Email{message.id, mail.email, rendered.subject, rendered.body, clock_.now()});
  } catch (const std::exception& error) {
    failure = error.what();
    if (failure.empty()) failure = "send failed";
  }

  if (failure.empty()) {
    const bool first = co_await notifications_.mark_sent(message.id, kConsumer, now_text());
    const bool acked = co_await broker_.ack(delivery);
    count(first ? "sent" : "duplicate");
    core::log::info("notify.email_sent", {{"message_id", message.id},
                                          {"type", message.type},
                                          {"notification_id", recorded.id},
                                          {"channel", channel_.name()},
                                          {"attempt", delivery.attempt},
                                          {"acked", acked}});
    co_return;
  }
  const bool last = delivery.attempt >= options_.delivery_limit;
  co_await notifications_.mark_attempt_failed(message.id, failure, last, now_text());
  const bool nacked = co_await broker_.nack(delivery, failure);
  count("failed");
  core::log::warn("notify.email_failed", {{"message_id", message.id},
                                          {"type", message.type},
                                          {"notification_id", recorded.id},
                                          {"channel", channel_.name()},
                                          {"attempt", delivery.attempt},
                                          {"dead_lettered", last},
                                          {"nacked", nacked},
                                          {"error", failure}});
}

asio::awaitable<std::size_t> EmailWorker::poll_once(std::size_t max) {
  auto deliveries = co_await broker_.receive(options_.queue, max);
  for (auto& delivery : deliveries) co_await handle(std::move(delivery));
  co_return deliveries.size();
}

asio::awaitable<void> EmailWorker::run_lane(Lane& lane) {
  while (!stopping_.load()) {
    std::size_t received = 0;
    bool failed = false;
    try {
      received = co_await poll_once(1);
    } catch (const std::exception& error) {
      // The store or the broker failed: the message (if any) comes back after
      // its visibility timeout. Pause before polling again.
      core::log::error("notify.worker_error", {{"queue", options_.queue}, {"error", error.what()}});
      failed = true;
    }
    if (received > 0 && !failed) continue;
    lane.idle.expires_after(options_.poll_interval);
    if (stopping_.load()) break;  // stop() posts its cancel after setting the flag
    co_await lane.idle.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void EmailWorker::start() {
  const std::lock_guard lock(lanes_mutex_);
  if (!lanes_.empty() || stopping_.load()) return;
  for (unsigned i = 0; i < std::max(1U, options_.concurrency); ++i) {
    auto lane = std::make_unique<Lane>();
    auto& context = lane->context;
    // No context.stop() when the loop ends: run() returns once the last
    // store completion has let go of the context's executor. Stopping early
    // let a SQLite pool thread touch the context after it was destroyed.
    asio::co_spawn(context, run_lane(*lane), asio::detached);
    lane->thread = std::thread([&context] { context.run(); });
    lanes_.push_back(std::move(lane));
  }
  core::log::info("notify.worker_started", {{"queue", options_.queue},
                                            {"channel", channel_.name()},
                                            {"concurrency", lanes_.size()},
                                            {"poll_interval_ms", options_.poll_interval.count()}});
}

void EmailWorker::stop() {
  const std::lock_guard lock(lanes_mutex_);
  stopping_.store(true);
  for (auto& lane : lanes_) {
    auto* idle = &lane->idle;
    asio::post(lane->context, [idle] { idle->cancel(); });
  }
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
  if (!lanes_.empty()) core::log::info("notify.worker_stopped", {{"queue", options_.queue}});
  lanes_.clear();
}

}  // namespace orderly::notify
