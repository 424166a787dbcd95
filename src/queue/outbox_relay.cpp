#include "queue/outbox_relay.hpp"

#include <exception>
#include <stdexcept>

#include "core/logging.hpp"

namespace orderly::queue {
namespace asio = boost::asio;
using store::params;

namespace {

constexpr store::Statement kClaim{"outbox.claim",
                                  "SELECT id, queue, type, schema_version, payload, traceparent, created_at FROM outbox"
                                  " WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1",
                                  "SELECT id, queue, type, schema_version, payload, traceparent, created_at FROM outbox"
                                  " WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED"};
constexpr store::Statement kMarkSent{
    "outbox.mark_sent",
    "UPDATE outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), attempts = attempts + 1 WHERE id = $1",
    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1"};
constexpr store::Statement kRecordFailure{"outbox.record_failure",
                                          "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1"};

constexpr std::size_t kMaxErrorLength = 500;  // last_error is for operators, not a log

Message message_from(const store::Row& row) {
  return Message{row.text("id"),        row.text("queue"),
                 row.text("type"),      static_cast<int>(row.int64("schema_version")),
                 row.text("payload"),   row.text("traceparent"),
                 row.text("created_at")};
}

}  // namespace

OutboxRelay::OutboxRelay(store::Store& store, Broker& broker, core::metrics::Registry& metrics,
                         OutboxRelayOptions options)
    : store_(store),
      broker_(broker),
      options_(options),
      published_(metrics.counter("orderly_outbox_published_total",
                                 "Outbox messages the broker confirmed and the relay marked sent, by queue.",
                                 {"queue"})),
      failures_(metrics.counter("orderly_outbox_failures_total",
                                "Outbox publishes that failed and left their row unsent, by queue.", {"queue"})),
      batches_(metrics.counter("orderly_outbox_batches_total",
                               "Outbox relay batches, by outcome (idle, drained, full, failed).", {"outcome"})) {
  if (options_.batch_size == 0) throw std::invalid_argument("outbox relay batch_size must be at least 1");
}

asio::awaitable<std::size_t> OutboxRelay::relay_once() {
  Batch batch;
  co_await store_.transaction([this, &batch](store::Transaction& tx) { return relay_batch(tx, batch); });
  record(batch);
  co_return batch.published_queues.size();
}

asio::awaitable<void> OutboxRelay::relay_batch(store::Transaction& tx, Batch& batch) {
  batch = Batch{};  // the body runs again after a serialization failure
  auto claim_params = params(static_cast<std::int64_t>(options_.batch_size));
  const auto claimed = co_await tx.execute(kClaim, std::move(claim_params));
  batch.claimed = claimed.rows.size();
  for (const auto& row : claimed.rows) {
    auto message = message_from(row);
    const auto id = message.id;
    const auto queue = message.queue;
    std::string error;
    try {
      co_await broker_.publish(std::move(message));
    } catch (const std::exception& failure) {
      error = std::string(failure.what()).substr(0, kMaxErrorLength);
    }
    if (error.empty()) {
      auto sent_params = params(id);
      co_await tx.execute(kMarkSent, std::move(sent_params));
      batch.published_queues.push_back(queue);
      continue;
    }
    core::log::warn("outbox.publish_failed", {{"message_id", id}, {"queue", queue}, {"error", error}});
    auto failure_params = params(id, error);
    co_await tx.execute(kRecordFailure, std::move(failure_params));
    batch.failed_queues.push_back(queue);
    break;  // later rows wait, so they do not overtake this one
  }
}

void OutboxRelay::record(const Batch& batch) {
  for (const auto& queue : batch.published_queues) published_.with_labels({queue}).inc();
  for (const auto& queue : batch.failed_queues) failures_.with_labels({queue}).inc();
  const char* outcome = !batch.failed_queues.empty()          ? "failed"
                        : batch.claimed == 0                  ? "idle"
                        : batch.claimed < options_.batch_size ? "drained"
                                                              : "full";
  batches_.with_labels({outcome}).inc();
}

}  // namespace orderly::queue
