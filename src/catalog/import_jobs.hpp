#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

inline constexpr std::string_view kBulkQueue = "bulk";
inline constexpr std::string_view kImportMessageType = "catalog.import";

// An import job as GET /api/v1/jobs/{id} shows it. `processed` counts the CSV
// lines handled so far (imported or not), `failed` those refused; `errors`
// is [{line, message}] (bounded by catalog.import_max_errors; `failed` keeps
// counting past it). `total` is known once the worker has read the CSV.
struct ImportJob {
  std::string id;
  std::string status;  // queued | running | done | failed
  std::int64_t total = 0;
  std::int64_t processed = 0;
  std::int64_t failed = 0;
  boost::json::array errors;
  std::string created_by;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> finished_at;
};

[[nodiscard]] boost::json::object job_to_json(const ImportJob& job);

// The import_jobs table. Progress moves only forward and only from the
// position the writer read (record_batch checks it), so two workers that got
// the same job (a redelivery while the first still runs) never import a line
// twice: the one behind loses its batch and stops. Thread-safe.
class ImportJobs {
 public:
  ImportJobs(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  // Inside the caller's transaction (with the message that starts the job).
  boost::asio::awaitable<void> create(store::Transaction& tx, std::string id, std::string csv, std::string created_by);
  boost::asio::awaitable<std::optional<ImportJob>> find(std::string id);
  // The CSV of a job that is not finished yet (nothing once done or failed).
  boost::asio::awaitable<std::optional<std::string>> pending_csv(std::string id);

  // queued|running -> running with its total; false when the job has ended.
  boost::asio::awaitable<bool> start(std::string id, std::int64_t total);
  // Inside the batch's transaction: progress from `expected_processed` to
  // `processed`. False when the job is not at `expected_processed` any more
  // (another worker moved it): the caller must roll the batch back.
  boost::asio::awaitable<bool> record_batch(store::Transaction& tx, const ImportJob& progress,
                                            std::int64_t expected_processed);
  // -> done or failed; drops the CSV.
  boost::asio::awaitable<void> finish(std::string id, std::string status, boost::json::array errors);

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

}  // namespace orderly::catalog
