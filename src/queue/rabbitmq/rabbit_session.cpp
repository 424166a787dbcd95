#include "queue/rabbitmq/rabbit_session.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "core/ids.hpp"
#include "core/logging.hpp"

namespace orderly::queue::rabbitmq {

namespace {

using SteadyClock = std::chrono::steady_clock;

// AMQP queue names are at most 255 bytes; ".retry.<ms>" must still fit.
constexpr std::size_t kMaxQueueName = 200;
constexpr std::size_t kMaxReasonLength = 512;
// Between two tries of one publish: a quorum queue electing a new leader
// nacks for a few hundred milliseconds.
constexpr std::chrono::milliseconds kRepublishPause{50};

void check_queue_name(const std::string& queue) {
  if (queue.empty() || queue.size() > kMaxQueueName) {
    throw std::invalid_argument("a queue name has 1 to 200 characters");
  }
}

// A receipt is "<broker instance>:<connection generation>:<delivery tag>":
// a delivery tag means something only on the connection that issued it.
struct Receipt {
  std::uint64_t generation = 0;
  std::uint64_t tag = 0;
};

std::string format_receipt(const std::string& instance, std::uint64_t generation, std::uint64_t tag) {
  return instance + ":" + std::to_string(generation) + ":" + std::to_string(tag);
}

std::optional<Receipt> parse_receipt(const std::string& instance, std::string_view text) {
  if (!text.starts_with(instance) || text.size() <= instance.size() || text[instance.size()] != ':') {
    return std::nullopt;
  }
  text.remove_prefix(instance.size() + 1);
  Receipt receipt;
  const auto* end = text.data() + text.size();
  const auto [colon, first_error] = std::from_chars(text.data(), end, receipt.generation);
  if (first_error != std::errc() || colon == end || *colon != ':') return std::nullopt;
  const auto [rest, second_error] = std::from_chars(colon + 1, end, receipt.tag);
  if (second_error != std::errc() || rest != end) return std::nullopt;
  return receipt;
}

std::vector<QueueArgument> quorum() {
  return {{"x-queue-type", std::string("quorum")}};
}

// Deliveries taken from a dead-letter queue to read them: each goes back to
// its queue (requeue) unless taken for good with ack().
class BrowseLease {
 public:
  explicit BrowseLease(AmqpConnection& connection) : connection_(connection) {}
  BrowseLease(const BrowseLease&) = delete;
  BrowseLease& operator=(const BrowseLease&) = delete;
  ~BrowseLease() {
    try {
      release();
    } catch (const AmqpConnectionError&) {
      // Only while an error unwinds: the connection is broken and about to
      // be dropped, and the broker requeues its unacked deliveries itself.
    }
  }

  void hold(std::uint64_t tag) { tags_.push_back(tag); }

  void ack(std::uint64_t tag) {
    connection_.ack(AmqpConnection::kBrowseChannel, tag);
    tags_.erase(std::remove(tags_.begin(), tags_.end(), tag), tags_.end());
  }

  void release() {
    while (!tags_.empty()) {
      const auto tag = tags_.back();
      tags_.pop_back();
      connection_.requeue(AmqpConnection::kBrowseChannel, tag);
    }
  }

 private:
  AmqpConnection& connection_;
  std::vector<std::uint64_t> tags_;
};

}  // namespace

RabbitSession::RabbitSession(const RabbitBrokerOptions& options, std::vector<AmqpUri> nodes, const core::Clock& clock,
                             core::Random& random, core::metrics::Registry& metrics)
    : options_(options),
      nodes_(std::move(nodes)),
      settings_{nodes_.at(0), options.call_timeout, options.heartbeat},
      ladder_(options.retry),
      clock_(clock),
      random_(random),
      events_(metrics.counter("orderly_queue_messages_total", "Queue message events, by queue and event.",
                              {"queue", "event"})),
      instance_(core::random_hex(random, 8)),
      backoff_(options.reconnect_backoff) {
  for (const auto& queue : options.queues) {
    check_queue_name(queue);
    known_queues_.insert(queue);
  }
}

void RabbitSession::count(const std::string& queue, const char* event, double amount) {
  events_.with_labels({queue, event}).inc(amount);
}

AmqpConnection* RabbitSession::try_connect() {
  if (connection_) return connection_.get();
  const auto now = clock_.monotonic();
  if (now < next_connect_at_) return nullptr;
  // Every node once, from the current one: a dead node refuses at once on
  // its host, so the next one is tried without waiting for a back-off.
  for (std::size_t tried = 0; tried < nodes_.size(); ++tried) {
    const auto index = (current_ + tried) % nodes_.size();
    if (auto* open = connect_to(nodes_[index])) {
      current_ = index;
      backoff_ = options_.reconnect_backoff;
      return open;
    }
  }
  next_connect_at_ = clock_.monotonic() + backoff_;
  core::log::warn("queue.rabbitmq.unreachable",
                  {{"nodes", nodes_.size()}, {"error", last_failure_}, {"retry_in_ms", backoff_.count()}});
  backoff_ = std::min(backoff_ * 2, options_.reconnect_backoff_max);
  return nullptr;
}

AmqpConnection* RabbitSession::connect_to(const AmqpUri& node) {
  settings_.uri = node;
  try {
    connection_ = std::make_unique<AmqpConnection>(settings_);
    ++generation_;
    for (const auto& queue : known_queues_) declare_topology(*connection_, queue);
  } catch (const AmqpConnectionError& error) {
    connection_.reset();
    declared_.clear();
    last_failure_ = error.what();
    core::log::warn("queue.rabbitmq.connect_failed", {{"uri", node.redacted()}, {"error", last_failure_}});
    return nullptr;
  }
  core::log::info("queue.rabbitmq.connected", {{"uri", node.redacted()}, {"generation", generation_}});
  return connection_.get();
}

bool RabbitSession::connected() { return try_connect() != nullptr; }

AmqpConnection& RabbitSession::connection() {
  if (auto* open = try_connect()) return *open;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_connect_at_ - clock_.monotonic());
  throw RabbitBrokerError("RabbitMQ at " + settings_.uri.redacted() + " is unavailable (" + last_failure_ +
                          "); next connection attempt in " + std::to_string(std::max<std::int64_t>(0, wait.count())) +
                          " ms");
}

void RabbitSession::drop(const std::string& reason) {
  core::log::warn("queue.rabbitmq.connection_dropped", {{"uri", settings_.uri.redacted()},
                                                        {"generation", generation_},
                                                        {"error", reason},
                                                        {"unacked", unacked_.size()}});
  last_failure_ = reason;
  connection_.reset();
  declared_.clear();
  unacked_.clear();
  // The node may be the one that died: start the next round at its successor.
  current_ = (current_ + 1) % nodes_.size();
}

void RabbitSession::close() {
  connection_.reset();
  declared_.clear();
  unacked_.clear();
}

template <class Operation>
auto RabbitSession::with_connection(const char* what, bool retry, Operation operation) {
  for (int attempt = 1;; ++attempt) {
    const bool reused = connection_ != nullptr;
    auto& open = connection();
    try {
      return operation(open);
    } catch (const AmqpConnectionError& error) {
      drop(error.what());
      if (!retry || !reused || attempt >= 2) throw RabbitBrokerError(std::string(what) + ": " + error.what());
    } catch (const AmqpPublishError& error) {
      throw RabbitBrokerError(std::string(what) + ": " + error.what());
    }
  }
}

void RabbitSession::declare_topology(AmqpConnection& connection, const std::string& queue) {
  if (declared_.contains(queue)) return;
  connection.declare_queue(queue, quorum());
  connection.declare_queue(dead_letter_queue_name(queue), quorum());
  for (const auto delay : ladder_.steps()) {
    // Expired messages go back to `queue` through the default exchange. At
    // least once: the quorum queue keeps a message until `queue` confirmed
    // it, which that strategy requires reject-publish overflow for.
    connection.declare_queue(retry_queue_name(queue, delay), {{"x-queue-type", std::string("quorum")},
                                                              {"x-message-ttl", std::int64_t{delay.count()}},
                                                              {"x-dead-letter-exchange", std::string()},
                                                              {"x-dead-letter-routing-key", queue},
                                                              {"x-dead-letter-strategy", std::string("at-least-once")},
                                                              {"x-overflow", std::string("reject-publish")}});
  }
  declared_.insert(queue);
  known_queues_.insert(queue);
}

void RabbitSession::send(AmqpConnection& connection, const std::string& target, const Message& message,
                         int failed_attempts, const std::string& reason) {
  const OutgoingProperties properties(message, failed_attempts, reason);
  connection.publish(target, properties, message.payload, SteadyClock::now() + options_.confirm_timeout);
}

void RabbitSession::publish(Message message) {
  check_queue_name(message.queue);
  if (message.id.empty()) message.id = core::random_hex(random_, 16);
  if (message.created_at.empty()) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
    message.created_at = rfc3339_utc(now.count());
  }
  // One bound for the whole call, however many nodes and tries it takes: a
  // publish blocked by a lost quorum fails after confirm_timeout, and the
  // caller (the outbox relay) keeps the event and tries again later.
  const auto deadline = SteadyClock::now() + options_.confirm_timeout;
  std::string failure;
  for (int attempt = 1;; ++attempt) {
    try {
      auto& open = connection();
      declare_topology(open, message.queue);
      const OutgoingProperties properties(message, 0, "");
      open.publish(message.queue, properties, message.payload, deadline);
      if (attempt > 1) {
        core::log::info("queue.rabbitmq.republished",
                        {{"message_id", message.id}, {"attempt", attempt}, {"uri", settings_.uri.redacted()}});
      }
      count(message.queue, "published");
      return;
    } catch (const AmqpConnectionError& error) {
      drop(error.what());  // whether the broker took it is unknown: it goes again (consumers dedupe)
      failure = error.what();
    } catch (const AmqpPublishError& error) {
      if (!error.nacked()) throw RabbitBrokerError(std::string("publish: ") + error.what());
      failure = error.what();
    } catch (const RabbitBrokerError&) {
      // No node reachable now (connection() tried each once): fail at once,
      // the caller keeps the event, and the back-off paces the next tries.
      throw;
    }
    const auto now = SteadyClock::now();
    if (now >= deadline) {
      throw RabbitBrokerError("publish: not confirmed within " + std::to_string(options_.confirm_timeout.count()) +
                              " ms (" + std::to_string(attempt) + " tries; last: " + failure + ")");
    }
    // Pacing between tries (a nack or a refused connect comes back at once),
    // at most until the next connection attempt is due or the deadline.
    auto pause = std::chrono::duration_cast<SteadyClock::duration>(kRepublishPause);
    if (!connection_) pause = std::max(pause, next_connect_at_ - clock_.monotonic());
    std::this_thread::sleep_for(std::min(pause, deadline - now));
  }
}

std::vector<Delivery> RabbitSession::receive(const std::string& queue, std::size_t max) {
  check_queue_name(queue);
  auto deliveries = with_connection("receive", true, [&](AmqpConnection& open) {
    declare_topology(open, queue);
    std::vector<Delivery> taken;
    const auto room = options_.prefetch > unacked_.size() ? options_.prefetch - unacked_.size() : 0;
    const auto wanted = std::min(max, room);
    while (taken.size() < wanted) {
      auto got = open.get(AmqpConnection::kWorkChannel, queue);
      if (!got) break;
      auto& incoming = got->incoming;
      incoming.message.queue = queue;
      const int attempt = incoming.failed_attempts + incoming.delivery_count + 1;
      if (attempt > options_.retry.delivery_limit) {
        // Delivered again and again without an ack or nack: its consumers
        // crash on it. It goes where a nack at the limit would send it.
        send(open, dead_letter_queue_name(queue), incoming.message, attempt - 1,
             "delivered " + std::to_string(attempt - 1) + " times without an ack or nack");
        open.ack(AmqpConnection::kWorkChannel, got->delivery_tag);
        count(queue, "dead_lettered");
        continue;
      }
      unacked_[got->delivery_tag] = Held{incoming.message, attempt};
      taken.push_back(
          Delivery{std::move(incoming.message), attempt, format_receipt(instance_, generation_, got->delivery_tag)});
    }
    return taken;
  });
  if (!deliveries.empty()) count(queue, "delivered", static_cast<double>(deliveries.size()));
  return deliveries;
}

std::optional<std::uint64_t> RabbitSession::held_tag(const Delivery& delivery) const {
  const auto receipt = parse_receipt(instance_, delivery.receipt);
  if (!receipt || !connection_ || receipt->generation != generation_) return std::nullopt;
  const auto held = unacked_.find(receipt->tag);
  if (held == unacked_.end() || held->second.message.id != delivery.message.id) return std::nullopt;
  return receipt->tag;
}

bool RabbitSession::ack(const Delivery& delivery) {
  const auto tag = held_tag(delivery);
  if (!tag) return false;
  const auto queue = unacked_.at(*tag).message.queue;
  try {
    connection_->ack(AmqpConnection::kWorkChannel, *tag);
  } catch (const AmqpConnectionError& error) {
    drop(error.what());  // the broker puts the message back: this delivery is over
    return false;
  }
  unacked_.erase(*tag);
  count(queue, "acked");
  return true;
}

bool RabbitSession::nack(const Delivery& delivery, std::string reason) {
  const auto tag = held_tag(delivery);
  if (!tag) return false;
  if (reason.size() > kMaxReasonLength) reason.resize(kMaxReasonLength);
  const auto held = unacked_.at(*tag);  // a copy: drop() clears the map
  const auto& queue = held.message.queue;
  const bool dead = held.attempt >= options_.retry.delivery_limit;
  std::string target = dead_letter_queue_name(queue);
  if (!dead) {
    const auto delay = ladder_.delay_after(held.attempt, random_);
    target = delay.count() == 0 ? queue : retry_queue_name(queue, delay);
  }
  try {
    send(*connection_, target, held.message, held.attempt, reason);
    connection_->ack(AmqpConnection::kWorkChannel, *tag);
  } catch (const AmqpConnectionError& error) {
    drop(error.what());  // the original goes back to its queue and is delivered again
    return false;
  } catch (const AmqpPublishError& error) {
    // Still held: the consumer may nack again, or its lease ends with the connection.
    throw RabbitBrokerError("nack of message " + held.message.id + ": " + error.what());
  }
  unacked_.erase(*tag);
  count(queue, dead ? "dead_lettered" : "retried");
  return true;
}

std::vector<DeadLetter> RabbitSession::dead_letters(const std::string& queue, std::size_t limit) {
  check_queue_name(queue);
  return with_connection("dead_letters", true, [&](AmqpConnection& open) {
    declare_topology(open, queue);
    BrowseLease lease(open);
    std::vector<DeadLetter> messages;
    const auto wanted = std::min(limit, options_.max_dead_letter_scan);
    while (messages.size() < wanted) {
      auto got = open.get(AmqpConnection::kBrowseChannel, dead_letter_queue_name(queue));
      if (!got) break;
      lease.hold(got->delivery_tag);
      got->incoming.message.queue = queue;
      messages.push_back(DeadLetter{std::move(got->incoming.message), got->incoming.failed_attempts,
                                    std::move(got->incoming.last_error)});
    }
    lease.release();
    return messages;
  });
}

bool RabbitSession::replay(const std::string& message_id) {
  // Not retried on a fresh connection: the message may have been moved already.
  return with_connection("replay", false, [&](AmqpConnection& open) {
    const std::vector<std::string> queues(known_queues_.begin(), known_queues_.end());
    for (const auto& queue : queues) {
      declare_topology(open, queue);
      BrowseLease lease(open);
      for (std::size_t scanned = 0; scanned < options_.max_dead_letter_scan; ++scanned) {
        auto got = open.get(AmqpConnection::kBrowseChannel, dead_letter_queue_name(queue));
        if (!got) break;
        lease.hold(got->delivery_tag);
        if (got->incoming.message.id != message_id) continue;
        got->incoming.message.queue = queue;
        send(open, queue, got->incoming.message, 0, "");
        lease.ack(got->delivery_tag);
        lease.release();
        count(queue, "replayed");
        return true;
      }
      lease.release();
    }
    return false;
  });
}

void RabbitSession::keep_alive() {
  if (connection_) {
    try {
      connection_->keep_alive();
    } catch (const AmqpConnectionError& error) {
      drop(error.what());
    }
    return;
  }
  if (!known_queues_.empty()) try_connect();  // failures are logged and back off
}

}  // namespace orderly::queue::rabbitmq
