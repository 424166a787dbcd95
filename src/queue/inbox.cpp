#include "queue/inbox.hpp"

namespace orderly::queue {

namespace {
constexpr store::Statement kRecord{
    "inbox.record", "INSERT INTO inbox (message_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
constexpr store::Statement kSeen{"inbox.seen", "SELECT 1 AS seen FROM inbox WHERE message_id = $1 AND consumer = $2"};
}  // namespace

boost::asio::awaitable<bool> first_delivery(store::Transaction& tx, std::string message_id, std::string consumer) {
  const auto recorded = co_await tx.execute(kRecord, store::params(message_id, consumer));
  co_return recorded.affected_rows == 1;
}

boost::asio::awaitable<bool> already_processed(store::Store& store, std::string message_id, std::string consumer) {
  store::ReadOptions primary;
  primary.allow_replica = false;  // a replica may not have replayed the record yet
  const auto seen = co_await store.query(kSeen, store::params(message_id, consumer), primary);
  co_return !seen.empty();
}

}  // namespace orderly::queue
