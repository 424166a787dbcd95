#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "store/store.hpp"

namespace orderly::notify {

struct Notification {
  std::string id;
  std::string user_id;
  std::string order_id;
  std::string channel;
  std::string template_name;
  std::string status;  // queued | sent | failed
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;  // operators only; never shown to users
  std::string created_at;
};

// Where the newest-first listing resumes: after (created_at, id).
struct NotificationCursor {
  std::string created_at;
  std::string id;
};

struct NotificationPage {
  std::vector<Notification> items;
  std::optional<NotificationCursor> next;
};

// The notifications table: one row per event and channel, keyed by the
// event's message id, following the delivery from queued to sent or failed.
// Thread-safe (the store is).
class NotificationStore {
 public:
  explicit NotificationStore(store::Store& store) : store_(store) {}

  // Inserts the row as queued unless the message already has one (a
  // redelivery); returns the row as it now stands.
  boost::asio::awaitable<Notification> record_queued(Notification row, std::string message_id, std::string now);

  // Marks the email sent and records the inbox entry (message id, consumer)
  // in the same transaction: the effect and its dedupe record commit
  // together. False when another delivery of the message recorded it first.
  boost::asio::awaitable<bool> mark_sent(std::string message_id, std::string consumer, std::string now);

  // Counts a failed attempt; `final` (the delivery limit is reached) marks the row failed.
  boost::asio::awaitable<void> mark_attempt_failed(std::string message_id, std::string reason, bool final,
                                                   std::string now);

  // The user's notifications, newest first, `limit` per page.
  boost::asio::awaitable<NotificationPage> list_for_user(std::string user_id, std::size_t limit,
                                                         std::optional<NotificationCursor> after);

  boost::asio::awaitable<std::optional<Notification>> find_by_message(std::string message_id);

 private:
  store::Store& store_;
};

}  // namespace orderly::notify
