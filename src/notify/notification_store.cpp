#include "notify/notification_store.hpp"

#include "queue/inbox.hpp"

namespace orderly::notify {
namespace asio = boost::asio;
using store::params;

namespace {

constexpr store::Statement kInsert{
    "notify.insert",
    "INSERT INTO notifications (id, user_id, order_id, channel, template, status, attempts, created_at, updated_at,"
    " message_id) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6, $7) ON CONFLICT (message_id) DO NOTHING"};
constexpr store::Statement kFindByMessage{
    "notify.find_by_message",
    "SELECT id, user_id, order_id, channel, template, status, attempts, last_error, created_at FROM notifications"
    " WHERE message_id = $1"};
constexpr store::Statement kMarkSent{
    "notify.mark_sent",
    "UPDATE notifications SET status = 'sent', attempts = attempts + 1, last_error = NULL, updated_at = $2"
    " WHERE message_id = $1"};
constexpr store::Statement kMarkFailedAttempt{
    "notify.mark_failed_attempt",
    "UPDATE notifications SET status = $2, attempts = attempts + 1, last_error = $3, updated_at = $4"
    " WHERE message_id = $1 AND status <> 'sent'"};
constexpr store::Statement kListFirst{
    "notify.list_first",
    "SELECT id, user_id, order_id, channel, template, status, attempts, last_error, created_at FROM notifications"
    " WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"};
constexpr store::Statement kListAfter{
    "notify.list_after",
    "SELECT id, user_id, order_id, channel, template, status, attempts, last_error, created_at FROM notifications"
    " WHERE user_id = $1 AND (created_at < $2 OR (created_at = $2 AND id < $3))"
    " ORDER BY created_at DESC, id DESC LIMIT $4"};

Notification from_row(const store::Row& row) {
  return Notification{row.text("id"),       row.text("user_id"),     row.text("order_id"),
                      row.text("channel"),  row.text("template"),    row.text("status"),
                      row.int64("attempts"), row.optional_text("last_error"), row.text("created_at")};
}

store::ReadOptions on_primary() {
  store::ReadOptions options;
  options.allow_replica = false;
  return options;
}

}  // namespace

asio::awaitable<Notification> NotificationStore::record_queued(Notification row, std::string message_id,
                                                               std::string now) {
  auto insert = params(row.id, row.user_id, row.order_id, row.channel, row.template_name, now, message_id);
  co_await store_.execute(kInsert, std::move(insert));
  const auto primary = on_primary();
  const auto found = co_await store_.query(kFindByMessage, params(message_id), primary);
  co_return from_row(found.first());
}

asio::awaitable<bool> NotificationStore::mark_sent(std::string message_id, std::string consumer, std::string now) {
  bool first = false;
  co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    first = co_await queue::first_delivery(tx, message_id, consumer);
    if (!first) co_return;
    co_await tx.execute(kMarkSent, params(message_id, now));
  });
  co_return first;
}

asio::awaitable<void> NotificationStore::mark_attempt_failed(std::string message_id, std::string reason, bool final,
                                                             std::string now) {
  auto update = params(message_id, final ? "failed" : "queued", reason, now);
  co_await store_.execute(kMarkFailedAttempt, std::move(update));
}

asio::awaitable<NotificationPage> NotificationStore::list_for_user(std::string user_id, std::size_t limit,
                                                                   std::optional<NotificationCursor> after) {
  // One row more than asked tells whether another page follows.
  const auto wanted = static_cast<std::int64_t>(limit) + 1;
  store::Result rows;
  if (after) {
    auto list = params(user_id, after->created_at, after->id, wanted);
    rows = co_await store_.query(kListAfter, std::move(list));
  } else {
    auto list = params(user_id, wanted);
    rows = co_await store_.query(kListFirst, std::move(list));
  }
  NotificationPage page;
  for (const auto& row : rows.rows) {
    if (page.items.size() == limit) {
      const auto& last = page.items.back();
      page.next = NotificationCursor{last.created_at, last.id};
      break;
    }
    page.items.push_back(from_row(row));
  }
  co_return page;
}

asio::awaitable<std::optional<Notification>> NotificationStore::find_by_message(std::string message_id) {
  const auto primary = on_primary();
  const auto found = co_await store_.query(kFindByMessage, params(message_id), primary);
  if (found.empty()) co_return std::nullopt;
  co_return from_row(found.first());
}

}  // namespace orderly::notify
