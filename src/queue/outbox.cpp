#include "queue/outbox.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/ids.hpp"

namespace orderly::queue {
namespace {

constexpr store::Statement kInsert{
    "outbox.insert",
    "INSERT INTO outbox (id, queue, type, schema_version, payload, traceparent, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};

// Fixed width, so text order is time order (the relay sends oldest first).
std::string rfc3339_ms(std::chrono::system_clock::time_point time) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const auto seconds = static_cast<std::time_t>(since_epoch.count() / 1000);
  const auto millis = static_cast<int>(since_epoch.count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", millis);
  return text;
}

}  // namespace

boost::asio::awaitable<void> add_to_outbox(store::Transaction& tx, Message message, const core::Clock& clock,
                                           core::Random& random) {
  if (message.id.empty()) message.id = core::random_hex(random, 16);
  if (message.created_at.empty()) message.created_at = rfc3339_ms(clock.now());
  auto row =
      store::params(std::move(message.id), std::move(message.queue), std::move(message.type), message.schema_version,
                    std::move(message.payload), std::move(message.traceparent), std::move(message.created_at));
  co_await tx.execute(kInsert, std::move(row));
}

}  // namespace orderly::queue
