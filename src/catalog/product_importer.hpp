#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "catalog/import_jobs.hpp"
#include "catalog/product_cache.hpp"
#include "catalog/product_repository.hpp"
#include "core/clock.hpp"

namespace orderly::catalog {

struct ImportOptions {
  std::size_t batch_size = 200;   // records per transaction
  std::size_t max_errors = 1000;  // per-line errors kept in the job
};

// Runs a CSV import job: reads the job's CSV, then upserts its records by sku
// in batches, one transaction per batch that also saves the job's progress,
// so the job's counters are readable while it runs and a job picked up again
// (a redelivered message after a crash) resumes after its last committed
// batch. A bad line is counted and recorded with its line number, never
// fatal; a CSV without a valid header fails the whole job. Thread-safe.
class ProductImporter {
 public:
  enum class Outcome {
    finished,     // the job is done (or failed for a bad header)
    skipped,      // the job had ended already, or does not exist: nothing to do
    interrupted,  // `stop` was set between batches; the job resumes on its next delivery
    superseded,   // another worker is ahead on this job; it will finish it
  };

  ProductImporter(store::Store& store, ProductRepository& products, ProductCache& cache, ImportJobs& jobs,
                  const core::Clock& clock, ImportOptions options)
      : store_(store), products_(products), cache_(cache), jobs_(jobs), clock_(clock), options_(options) {}

  boost::asio::awaitable<Outcome> run(std::string job_id, const std::atomic<bool>& stop);

 private:
  struct Batch;
  boost::asio::awaitable<bool> import_batch(ImportJob& progress, const Batch& batch);

  store::Store& store_;
  ProductRepository& products_;
  ProductCache& cache_;
  ImportJobs& jobs_;
  const core::Clock& clock_;
  ImportOptions options_;
};

}  // namespace orderly::catalog
