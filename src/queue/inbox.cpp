#include "queue/inbox.hpp"

namespace orderly::queue {

namespace {
constexpr store::Statement kRecord{
    "inbox.record", "INSERT INTO inbox (message_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
}  // namespace

boost::asio::awaitable<bool> first_delivery(store::Transaction& tx, std::string message_id, std::string consumer) {
  const auto recorded = co_await tx.execute(kRecord, store::params(message_id, consumer));
  co_return recorded.affected_rows == 1;
}

}  // namespace orderly::queue
