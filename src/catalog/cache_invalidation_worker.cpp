#include "catalog/cache_invalidation_worker.hpp"

#include <optional>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "core/logging.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr int kProductsChangedSchemaVersion = 1;

// The product ids of a products-changed payload ({"product_ids": [...]}), if well formed.
std::optional<std::vector<std::string>> product_ids_of(const queue::Message& message) {
  if (message.type != kProductsChangedType || message.schema_version != kProductsChangedSchemaVersion) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const auto payload = json::parse(message.payload, ec);
  if (ec || !payload.is_object()) return std::nullopt;
  const auto* ids = payload.as_object().if_contains("product_ids");
  if (ids == nullptr || !ids->is_array()) return std::nullopt;
  std::vector<std::string> result;
  for (const auto& id : ids->as_array()) {
    if (!id.is_string()) return std::nullopt;
    result.emplace_back(id.as_string());
  }
  return result;
}

}  // namespace

asio::awaitable<void> CacheInvalidationWorker::handle(queue::Delivery delivery) {
  auto ids = product_ids_of(delivery.message);
  if (!ids) {
    core::log::warn("catalog.cache_message_refused", {{"message_id", delivery.message.id},
                                                      {"type", delivery.message.type},
                                                      {"schema_version", delivery.message.schema_version}});
    std::string reason = "unknown message type or schema for the cache invalidation worker";
    co_await broker_.nack(std::move(delivery), std::move(reason));
    co_return;
  }
  std::optional<std::string> failure;
  try {
    for (auto& id : *ids) co_await cache_.invalidate(std::move(id));
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (failure) {
    core::log::warn("catalog.cache_invalidation_failed", {{"attempt", delivery.attempt}, {"error", *failure}});
    std::string reason = "the cache could not be reached";
    co_await broker_.nack(std::move(delivery), std::move(reason));
    co_return;
  }
  co_await broker_.ack(std::move(delivery));
}

asio::awaitable<std::size_t> CacheInvalidationWorker::poll_once() {
  const queue::DeliveryHandler handler = [this](queue::Delivery delivery) { return handle(std::move(delivery)); };
  co_return co_await queue::consume_once(broker_, options_, stopping_, handler);
}

asio::awaitable<void> CacheInvalidationWorker::run() {
  queue::DeliveryHandler handler = [this](queue::Delivery delivery) { return handle(std::move(delivery)); };
  co_await queue::run_consumer(broker_, options_, stopping_, std::move(handler));
}

}  // namespace orderly::catalog
