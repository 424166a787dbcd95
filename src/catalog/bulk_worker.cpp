#include "catalog/bulk_worker.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "core/logging.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr int kImportSchemaVersion = 1;

// The job id of a catalog.import payload ({"job_id": "..."}), if it has one.
std::optional<std::string> job_id_of(const queue::Message& message) {
  if (message.type != kImportMessageType || message.schema_version != kImportSchemaVersion) return std::nullopt;
  boost::system::error_code ec;
  const auto payload = json::parse(message.payload, ec);
  if (ec || !payload.is_object()) return std::nullopt;
  const auto* id = payload.as_object().if_contains("job_id");
  if (id == nullptr || !id->is_string()) return std::nullopt;
  return std::string(id->as_string());
}

}  // namespace

asio::awaitable<void> BulkWorker::handle(queue::Delivery delivery) {
  const auto job_id = job_id_of(delivery.message);
  if (!job_id) {
    core::log::warn("catalog.bulk_message_refused", {{"message_id", delivery.message.id},
                                                     {"type", delivery.message.type},
                                                     {"schema_version", delivery.message.schema_version}});
    std::string reason = "unknown message type or schema for the bulk worker";
    co_await broker_.nack(std::move(delivery), std::move(reason));
    co_return;
  }
  std::optional<std::string> failure;
  ProductImporter::Outcome outcome = ProductImporter::Outcome::skipped;
  try {
    outcome = co_await importer_.run(*job_id, stopping_);
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (failure) {
    core::log::error("catalog.import_attempt_failed",
                     {{"job_id", *job_id}, {"attempt", delivery.attempt}, {"error", *failure}});
    std::string reason = "import failed; it resumes from its last saved batch";
    co_await broker_.nack(std::move(delivery), std::move(reason));
    co_return;
  }
  // Interrupted by shutdown: no ack, so the message comes back and the job resumes.
  if (outcome == ProductImporter::Outcome::interrupted) co_return;
  co_await broker_.ack(std::move(delivery));
}

asio::awaitable<std::size_t> BulkWorker::poll_once() {
  std::string queue(kBulkQueue);
  auto deliveries = co_await broker_.receive(std::move(queue), options_.prefetch);
  const auto count = deliveries.size();
  for (auto& delivery : deliveries) {
    if (stopping_.load()) break;  // unhandled ones come back after their visibility timeout
    co_await handle(std::move(delivery));
  }
  co_return count;
}

asio::awaitable<void> BulkWorker::run() {
  asio::steady_timer idle(co_await asio::this_coro::executor);
  core::log::info("catalog.bulk_worker_started", {{"queue", kBulkQueue}});
  while (!stopping_.load()) {  // ends on stop(), checked at least once per poll interval
    std::size_t handled = 0;
    try {
      handled = co_await poll_once();
    } catch (const std::exception& error) {
      // The queue itself failed (store unavailable): log and poll again later.
      core::log::error("catalog.bulk_poll_failed", {{"error", error.what()}});
    }
    if (handled > 0) continue;
    idle.expires_after(options_.poll_interval);
    boost::system::error_code ec;
    co_await idle.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  core::log::info("catalog.bulk_worker_stopped", {{"queue", kBulkQueue}});
}

}  // namespace orderly::catalog
