#include "catalog/product_importer.hpp"

#include <algorithm>
#include <chrono>
#include <span>
#include <variant>
#include <vector>

#include "catalog/csv.hpp"
#include "catalog/product_csv.hpp"
#include "core/logging.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Thrown inside a batch's transaction to roll it back when another worker
// has moved the job on.
struct Superseded {};

void add_error(ImportJob& progress, std::size_t max_errors, std::size_t line, const std::string& message) {
  ++progress.failed;
  if (progress.errors.size() < max_errors) {
    progress.errors.push_back(json::object{{"line", line}, {"message", message}});
  }
}

}  // namespace

struct ProductImporter::Batch {
  std::span<const CsvRecord> records;  // the data records of this batch
  const ProductCsvColumns& columns;
  std::int64_t end = 0;           // `processed` once the batch is in
  bool isolate_failures = false;  // a single record whose database error is recorded, not thrown
};

asio::awaitable<bool> ProductImporter::import_batch(ImportJob& progress, const Batch& batch) {
  ImportJob next;
  std::vector<std::string> updated_ids;
  try {
    co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
      // The body may run again (serialization failure): start from `progress` each time.
      next = progress;
      updated_ids.clear();
      for (const auto& record : batch.records) {
        auto parsed = product_from_record(record, batch.columns);
        if (auto* message = std::get_if<std::string>(&parsed)) {
          add_error(next, options_.max_errors, record.line, *message);
          continue;
        }
        auto draft = std::move(std::get<ProductDraft>(parsed));
        auto upserted = co_await products_.upsert(tx, std::move(draft));
        if (!upserted.created) updated_ids.push_back(std::move(upserted.id));
      }
      next.processed = batch.end;
      const auto recorded = co_await jobs_.record_batch(tx, next, progress.processed);
      if (!recorded) throw Superseded{};
      co_await cache_.changed(tx, updated_ids);
    });
  } catch (const Superseded&) {
    co_return false;
  }
  progress = std::move(next);
  for (auto& id : updated_ids) co_await cache_.invalidate(std::move(id));
  co_return true;
}

asio::awaitable<ProductImporter::Outcome> ProductImporter::run(std::string job_id, const std::atomic<bool>& stop) {
  const auto started = clock_.monotonic();
  const auto csv = co_await jobs_.pending_csv(job_id);
  if (!csv) co_return Outcome::skipped;
  auto job = co_await jobs_.find(job_id);
  if (!job) co_return Outcome::skipped;

  const auto records = read_csv(*csv);
  const auto header = records.empty() ? std::variant<ProductCsvColumns, std::string>(std::string("the CSV is empty"))
                                      : read_product_header(records.front());
  if (const auto* problem = std::get_if<std::string>(&header)) {
    json::array errors{json::object{{"line", 1}, {"message", *problem}}};
    std::string status = "failed";
    co_await jobs_.finish(job_id, std::move(status), std::move(errors));
    core::log::warn("catalog.import_failed", {{"job_id", job_id}, {"reason", "bad header"}});
    co_return Outcome::finished;
  }
  const auto& columns = std::get<ProductCsvColumns>(header);
  const std::span<const CsvRecord> data(records.data() + 1, records.size() - 1);
  const auto total = static_cast<std::int64_t>(data.size());
  const auto was_started = co_await jobs_.start(job_id, total);
  if (!was_started) co_return Outcome::skipped;
  core::log::info("catalog.import_started", {{"job_id", job_id}, {"total", total}, {"resume_at", job->processed}});

  const auto batch_size = static_cast<std::int64_t>(std::max<std::size_t>(1, options_.batch_size));
  while (job->processed < total) {  // each turn moves `processed` forward or returns
    if (stop.load()) co_return Outcome::interrupted;
    const auto begin = job->processed;
    const auto end = std::min(total, begin + batch_size);
    const Batch batch{data.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)), columns,
                      end};
    bool imported = false;
    bool refused = false;
    try {
      imported = co_await import_batch(*job, batch);
    } catch (const store::ConstraintViolation&) {
      refused = true;  // a line the checks let through but the database refused: find it below
    }
    if (refused) {
      // Line by line, so only the offending line fails.
      for (auto line = begin; line < end; ++line) {
        const auto& record = data[static_cast<std::size_t>(line)];
        const Batch single{data.subspan(static_cast<std::size_t>(line), 1), columns, line + 1};
        bool refused_line = false;
        try {
          imported = co_await import_batch(*job, single);
        } catch (const store::ConstraintViolation&) {
          refused_line = true;
        }
        if (refused_line) {
          ImportJob with_error = *job;
          add_error(with_error, options_.max_errors, record.line, "refused by the database");
          with_error.processed = line + 1;
          const auto expected = job->processed;
          bool recorded = false;
          co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
            recorded = co_await jobs_.record_batch(tx, with_error, expected);
          });
          imported = recorded;
          if (recorded) *job = std::move(with_error);
        }
        if (!imported) break;
      }
    }
    if (!imported) {
      core::log::info("catalog.import_superseded", {{"job_id", job_id}, {"processed", job->processed}});
      co_return Outcome::superseded;
    }
  }
  std::string status = "done";
  auto errors = job->errors;
  co_await jobs_.finish(job_id, std::move(status), std::move(errors));
  const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.monotonic() - started);
  core::log::info(
      "catalog.import_done",
      {{"job_id", job_id}, {"processed", job->processed}, {"failed", job->failed}, {"duration_ms", duration.count()}});
  co_return Outcome::finished;
}

}  // namespace orderly::catalog
