#include "queue/outbox.hpp"

#include "core/ids.hpp"
#include "core/time_format.hpp"

namespace orderly::queue {
namespace {

constexpr store::Statement kInsert{
    "outbox.insert",
    "INSERT INTO outbox (id, queue, type, schema_version, payload, traceparent, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};

}  // namespace

boost::asio::awaitable<void> add_to_outbox(store::Transaction& tx, Message message, const core::Clock& clock,
                                           core::Random& random) {
  if (message.id.empty()) message.id = core::random_hex(random, 16);
  if (message.created_at.empty()) message.created_at = core::format_rfc3339(clock.now());
  auto row =
      store::params(std::move(message.id), std::move(message.queue), std::move(message.type), message.schema_version,
                    std::move(message.payload), std::move(message.traceparent), std::move(message.created_at));
  co_await tx.execute(kInsert, std::move(row));
}

}  // namespace orderly::queue
