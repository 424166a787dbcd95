#include "catalog/import_jobs.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "catalog/product_repository.hpp"
#include "core/time_format.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using store::params;
using store::Statement;

constexpr Statement kCreate{"catalog.job_create",
                            "INSERT INTO import_jobs (id, status, csv, created_by, created_at, updated_at)"
                            " VALUES ($1, 'queued', $2, $3, $4, $4)"};
constexpr Statement kFind{"catalog.job_find",
                          "SELECT id, status, total, processed, failed, errors, created_by, created_at, updated_at,"
                          " finished_at FROM import_jobs WHERE id = $1"};
constexpr Statement kPendingCsv{"catalog.job_pending_csv",
                                "SELECT csv FROM import_jobs WHERE id = $1 AND status IN ('queued', 'running')"};
constexpr Statement kStart{"catalog.job_start",
                           "UPDATE import_jobs SET status = 'running', total = $2, updated_at = $3"
                           " WHERE id = $1 AND status IN ('queued', 'running')"};
constexpr Statement kRecordBatch{"catalog.job_record_batch",
                                 "UPDATE import_jobs SET processed = $2, failed = $3, errors = $4, updated_at = $5"
                                 " WHERE id = $1 AND status = 'running' AND processed = $6"};
constexpr Statement kFinish{"catalog.job_finish",
                            "UPDATE import_jobs SET status = $2, errors = $3, csv = $4, updated_at = $5,"
                            " finished_at = $5 WHERE id = $1 AND status IN ('queued', 'running')"};

// Jobs are read from the primary: a client polls right after the 202, and a
// replica may not have the job yet.
const store::ReadOptions kFromPrimary{.allow_replica = false};

ImportJob job_from_row(const store::Row& row) {
  ImportJob job;
  job.id = row.text("id");
  job.status = row.text("status");
  job.total = row.int64("total");
  job.processed = row.int64("processed");
  job.failed = row.int64("failed");
  boost::system::error_code ec;
  auto errors = json::parse(row.text("errors"), ec);
  if (!ec && errors.is_array()) job.errors = std::move(errors.as_array());
  job.created_by = row.text("created_by");
  job.created_at = row.text("created_at");
  job.updated_at = row.text("updated_at");
  job.finished_at = row.optional_text("finished_at");
  return job;
}

}  // namespace

json::object job_to_json(const ImportJob& job) {
  return json::object{{"id", job.id},
                      {"type", kImportMessageType},
                      {"status", job.status},
                      {"total", job.total},
                      {"processed", job.processed},
                      {"imported", job.processed - job.failed},
                      {"failed", job.failed},
                      {"errors", job.errors},
                      {"created_by", job.created_by},
                      {"created_at", job.created_at},
                      {"updated_at", job.updated_at},
                      {"finished_at", job.finished_at ? json::value(*job.finished_at) : json::value(nullptr)}};
}

asio::awaitable<void> ImportJobs::create(store::Transaction& tx, std::string id, std::string csv,
                                         std::string created_by) {
  auto create_params =
      params(std::move(id), store::Blob{std::move(csv)}, std::move(created_by), core::format_rfc3339(clock_.now()));
  co_await tx.execute(kCreate, std::move(create_params));
}

asio::awaitable<std::optional<ImportJob>> ImportJobs::find(std::string id) {
  if (!is_plausible_id(id)) co_return std::nullopt;
  auto find_params = params(std::move(id));
  const auto found = co_await store_.query(kFind, std::move(find_params), kFromPrimary);
  if (found.empty()) co_return std::nullopt;
  co_return job_from_row(found.first());
}

asio::awaitable<std::optional<std::string>> ImportJobs::pending_csv(std::string id) {
  auto csv_params = params(std::move(id));
  const auto found = co_await store_.query(kPendingCsv, std::move(csv_params), kFromPrimary);
  if (found.empty()) co_return std::nullopt;
  co_return found.first().blob("csv").bytes;
}

asio::awaitable<bool> ImportJobs::start(std::string id, std::int64_t total) {
  auto start_params = params(std::move(id), total, core::format_rfc3339(clock_.now()));
  const auto started = co_await store_.execute(kStart, std::move(start_params));
  co_return started.affected_rows == 1;
}

asio::awaitable<bool> ImportJobs::record_batch(store::Transaction& tx, const ImportJob& progress,
                                               std::int64_t expected_processed) {
  auto batch_params = params(progress.id, progress.processed, progress.failed, json::serialize(progress.errors),
                             core::format_rfc3339(clock_.now()), expected_processed);
  const auto recorded = co_await tx.execute(kRecordBatch, std::move(batch_params));
  co_return recorded.affected_rows == 1;
}

asio::awaitable<void> ImportJobs::finish(std::string id, std::string status, json::array errors) {
  auto finish_params = params(std::move(id), std::move(status), json::serialize(errors), store::Blob{},
                              core::format_rfc3339(clock_.now()));
  co_await store_.execute(kFinish, std::move(finish_params));
}

}  // namespace orderly::catalog
