#include "catalog/bulk_worker.hpp"

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

queue::ConsumerLoopOptions BulkWorker::loop_options() const {
  return {std::string(kBulkQueue), "catalog.bulk", options_.prefetch, options_.poll_interval};
}

asio::awaitable<std::size_t> BulkWorker::poll_once() {
  const queue::DeliveryHandler handler = [this](queue::Delivery delivery) { return handle(std::move(delivery)); };
  co_return co_await queue::consume_once(broker_, loop_options(), stopping_, handler);
}

asio::awaitable<void> BulkWorker::run() {
  queue::DeliveryHandler handler = [this](queue::Delivery delivery) { return handle(std::move(delivery)); };
  co_await queue::run_consumer(broker_, loop_options(), stopping_, std::move(handler));
}

}  // namespace orderly::catalog
