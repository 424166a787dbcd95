#include "notify/schema.hpp"

namespace orderly::notify {
namespace {

constexpr store::Migration kMigrations[] = {
    {500, "notifications",
     // One row per (event, user, channel): message_id is the queue message
     // of the event, so a redelivered event finds its row. Times are RFC 3339
     // UTC text with milliseconds (fixed width, so text order is time order)
     // in both dialects; the index serves "the caller's, newest first".
     "CREATE TABLE notifications ("
     " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, order_id TEXT NOT NULL, channel TEXT NOT NULL,"
     " template TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),"
     " attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0), last_error TEXT,"
     " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE);"
     "CREATE INDEX notifications_by_user ON notifications (user_id, created_at, id);",
     ""},  // PostgreSQL: the same
};

}  // namespace

std::span<const store::Migration> notify_migrations() { return kMigrations; }

}  // namespace orderly::notify
