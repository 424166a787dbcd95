#include "queue/embedded/embedded_broker.hpp"

#include "core/ids.hpp"
#include "core/time_format.hpp"

namespace orderly::queue {
namespace asio = boost::asio;
using store::params;

namespace {

// Times are milliseconds since the epoch from core::Clock, so tests drive
// visibility and back-off with a ManualClock.
constexpr store::Statement kInsert{
    "queue.insert",
    "INSERT INTO queue_messages (id, queue, type, schema_version, payload, traceparent, created_at, visible_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr store::Statement kDue{
    "queue.due",
    "SELECT id, queue, type, schema_version, payload, traceparent, created_at, attempts FROM queue_messages"
    " WHERE queue = $1 AND state = 'ready' AND visible_at <= $2 ORDER BY visible_at, created_at LIMIT $3"};
constexpr store::Statement kLease{
    "queue.lease",
    "UPDATE queue_messages SET receipt = $2, visible_at = $3, attempts = attempts + 1"
    " WHERE id = $1 AND state = 'ready'"};
constexpr store::Statement kAck{"queue.ack", "DELETE FROM queue_messages WHERE id = $1 AND receipt = $2"};
constexpr store::Statement kRetry{
    "queue.retry",
    "UPDATE queue_messages SET receipt = NULL, visible_at = $3, last_error = $4 WHERE id = $1 AND receipt = $2"};
constexpr store::Statement kDeadLetter{
    "queue.dead_letter",
    "UPDATE queue_messages SET receipt = NULL, state = 'dead', last_error = $3 WHERE id = $1 AND receipt = $2"};
constexpr store::Statement kDeadLetters{
    "queue.dead_letters",
    "SELECT id, queue, type, schema_version, payload, traceparent, created_at, attempts, last_error"
    " FROM queue_messages WHERE queue = $1 AND state = 'dead' ORDER BY created_at LIMIT $2"};
constexpr store::Statement kReplay{
    "queue.replay",
    "UPDATE queue_messages SET state = 'ready', attempts = 0, visible_at = $2, receipt = NULL"
    " WHERE id = $1 AND state = 'dead'"};
constexpr store::Statement kQueueOf{"queue.queue_of", "SELECT queue FROM queue_messages WHERE id = $1"};

Message message_from(const store::Row& row) {
  return Message{row.text("id"),         row.text("queue"),   row.text("type"),
                 static_cast<int>(row.int64("schema_version")), row.text("payload"), row.text("traceparent"),
                 row.text("created_at")};
}


}  // namespace

EmbeddedBroker::EmbeddedBroker(store::Store& store, const core::Clock& clock, core::Random& random,
                               core::metrics::Registry& metrics, EmbeddedBrokerOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      options_(options),
      events_(metrics.counter("orderly_queue_messages_total", "Queue message events, by queue and event.",
                              {"queue", "event"})) {}

std::int64_t EmbeddedBroker::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
}

void EmbeddedBroker::count(const std::string& queue, const char* event, double amount) {
  events_.with_labels({queue, event}).inc(amount);
}

asio::awaitable<void> EmbeddedBroker::enqueue(store::Transaction& tx, Message message) {
  auto row = params(message.id.empty() ? core::random_hex(random_, 16) : message.id, message.queue, message.type,
                    message.schema_version, message.payload, message.traceparent,
                    message.created_at.empty() ? core::format_rfc3339(clock_.now()) : message.created_at, now_ms());
  co_await tx.execute(kInsert, std::move(row));
  count(message.queue, "published");
}

asio::awaitable<void> EmbeddedBroker::publish(Message message) {
  co_await store_.transaction([&](store::Transaction& tx) { return enqueue(tx, message); });
}

asio::awaitable<std::vector<Delivery>> EmbeddedBroker::receive(std::string queue, std::size_t max) {
  std::vector<Delivery> deliveries;
  const auto now = now_ms();
  const auto invisible_until = now + options_.visibility_timeout.count();
  co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    deliveries.clear();  // the body may run again after a serialization failure
    auto due_params = params(queue, now, static_cast<std::int64_t>(max));
    const auto due = co_await tx.execute(kDue, std::move(due_params));
    for (const auto& row : due.rows) {
      Delivery delivery{message_from(row), static_cast<int>(row.int64("attempts")) + 1, core::random_hex(random_, 16)};
      auto lease_params = params(delivery.message.id, delivery.receipt, invisible_until);
      const auto leased = co_await tx.execute(kLease, std::move(lease_params));
      if (leased.affected_rows == 1) deliveries.push_back(std::move(delivery));
    }
  });
  if (!deliveries.empty()) count(queue, "delivered", static_cast<double>(deliveries.size()));
  co_return deliveries;
}

asio::awaitable<bool> EmbeddedBroker::ack(Delivery delivery) {
  const auto done = co_await store_.execute(kAck, params(delivery.message.id, delivery.receipt));
  if (done.affected_rows == 1) count(delivery.message.queue, "acked");
  co_return done.affected_rows == 1;
}

asio::awaitable<bool> EmbeddedBroker::nack(Delivery delivery, std::string reason) {
  if (delivery.attempt >= options_.retry.delivery_limit) {
    const auto dead = co_await store_.execute(kDeadLetter, params(delivery.message.id, delivery.receipt, reason));
    if (dead.affected_rows == 1) count(delivery.message.queue, "dead_lettered");
    co_return dead.affected_rows == 1;
  }
  const auto due = now_ms() + options_.retry.delay_after(delivery.attempt, random_).count();
  const auto retried = co_await store_.execute(kRetry, params(delivery.message.id, delivery.receipt, due, reason));
  if (retried.affected_rows == 1) count(delivery.message.queue, "retried");
  co_return retried.affected_rows == 1;
}

asio::awaitable<std::vector<DeadLetter>> EmbeddedBroker::dead_letters(std::string queue, std::size_t limit) {
  store::ReadOptions primary;
  primary.allow_replica = false;
  const auto rows = co_await store_.query(kDeadLetters, params(queue, static_cast<std::int64_t>(limit)), primary);
  std::vector<DeadLetter> messages;
  for (const auto& row : rows.rows) {
    messages.push_back(DeadLetter{message_from(row), static_cast<int>(row.int64("attempts")),
                                  row.optional_text("last_error").value_or("")});
  }
  co_return messages;
}

asio::awaitable<bool> EmbeddedBroker::replay(std::string message_id) {
  const auto replayed = co_await store_.execute(kReplay, params(message_id, now_ms()));
  if (replayed.affected_rows == 1) {
    store::ReadOptions primary;
    primary.allow_replica = false;
    const auto owner = co_await store_.query(kQueueOf, params(message_id), primary);
    if (!owner.empty()) count(owner.first().text("queue"), "replayed");
  }
  co_return replayed.affected_rows == 1;
}

}  // namespace orderly::queue
