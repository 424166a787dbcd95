#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "auth/api/account_events.hpp"
#include "notify/email_channel.hpp"
#include "notify/notification_store.hpp"
#include "notify/templates.hpp"
#include "queue/broker.hpp"
#include "store/store.hpp"

namespace orderly::notify {

struct EmailWorkerOptions {
  std::string queue = "notifications";
  unsigned concurrency = 2;                    // messages handled at once, each on a thread of its own
  std::chrono::milliseconds poll_interval{500};  // wait after an empty receive
  // The broker's delivery limit: the attempt that reaches it is the last, so
  // its failure marks the notification failed (the broker dead-letters it).
  int delivery_limit = 5;
};

// The consumer of the "notifications" queue. For each delivery:
//   1. the type and schema version are checked (order_events.hpp, and
//      auth/api/account_events.hpp for account mails); anything
//      else is logged and nacked with a reason, so it ends in the dead-letter
//      queue instead of crashing or being dropped;
//   2. an event the inbox (consumer "email") already records as sent is
//      acked without a second email;
//   3. its notification row is made (queued), the template rendered and the
//      email sent through the channel;
//   4. success: the row is marked sent together with the inbox record, then
//      the message acked; failure: the attempt is counted on the row (failed
//      on the last one) and the message nacked, so the broker retries it
//      with back-off and jitter and dead-letters it past the limit.
// An email sent but not yet marked (a crash between 3 and 4) is sent again on
// redelivery: the maildir channel writes nothing the second time, an SMTP
// server receives the same Message-ID.
//
// Metrics: orderly_notify_emails_total{channel,outcome} (sent, failed,
// duplicate, rejected).
class EmailWorker {
 public:
  EmailWorker(queue::Broker& broker, store::Store& store, EmailChannel& channel, const core::Clock& clock,
              core::Random& random, core::metrics::Registry& metrics, EmailWorkerOptions options);
  ~EmailWorker();  // stop()
  EmailWorker(const EmailWorker&) = delete;
  EmailWorker& operator=(const EmailWorker&) = delete;

  // Handles one delivery to its end (acked or nacked). Throws only when the
  // store or the broker fails; the message then comes back after its
  // visibility timeout.
  boost::asio::awaitable<void> handle(queue::Delivery delivery);

  // Receives up to `max` due messages and handles them in turn; returns how
  // many it received. What the worker's threads run in a loop; tests call it
  // directly to step the worker.
  boost::asio::awaitable<std::size_t> poll_once(std::size_t max = 1);

  // Starts `concurrency` threads, each polling in a loop. Once only.
  void start();

  // Stops polling, lets each thread finish the message it holds, and joins
  // them. Idempotent; safe without start().
  void stop();
  // True once stop() has begun (it may still be waiting for a message in flight).
  [[nodiscard]] bool stopping() const { return stopping_.load(); }

  static constexpr const char* kConsumer = "email";

 private:
  struct Lane;
  // What one event becomes: whose, about which order (empty for an account
  // mail), to where, and the mail itself.
  struct Outgoing {
    std::string user_id;
    std::string order_id;
    std::string email;
    RenderedEmail rendered;
  };
  boost::asio::awaitable<void> handle_account(queue::Delivery delivery, auth::AccountEventType type);
  // Steps 2 to 4 above, the same for every kind of event.
  boost::asio::awaitable<void> deliver(queue::Delivery delivery, Outgoing mail);
  boost::asio::awaitable<void> run_lane(Lane& lane);
  boost::asio::awaitable<void> refuse(queue::Delivery delivery, std::string reason);
  [[nodiscard]] std::string now_text() const;
  void count(const char* outcome);

  queue::Broker& broker_;
  store::Store& store_;
  EmailChannel& channel_;
  const core::Clock& clock_;
  core::Random& random_;
  EmailWorkerOptions options_;
  NotificationStore notifications_;
  core::metrics::Family<core::metrics::Counter>& emails_;
  std::atomic<bool> stopping_{false};
  std::mutex lanes_mutex_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace orderly::notify
