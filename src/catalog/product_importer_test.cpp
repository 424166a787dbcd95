// CSV imports on SQLite and PostgreSQL: per-line errors, upserts by sku,
// batches, resuming after a crash, redelivery, and two workers on one job.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "catalog/catalog_test_support.hpp"

namespace orderly::catalog {
namespace {

using core::run_sync;
using testing::CatalogParts;
namespace asio = boost::asio;
using Outcome = ProductImporter::Outcome;

constexpr store::Statement kJumpProgress{"test.catalog_job_jump",
                                         "UPDATE import_jobs SET status = 'running', processed = $2 WHERE id = $1"};
constexpr store::Statement kSkus{"test.catalog_skus", "SELECT sku, version FROM products ORDER BY sku"};

constexpr std::string_view kHeader = "sku,name,description,price_amount,price_currency,stock\r\n";

class CatalogImport : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  void SetUp() override { parts_ = std::make_unique<CatalogParts>(GetParam(), ImportOptions{.batch_size = 2}); }
  void TearDown() override { parts_.reset(); }

  std::string queue_job(std::string csv) {
    const auto id = parts_->products->new_id();
    run_sync(parts_->store->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
      std::string created_by = "admin-1";
      co_await parts_->jobs->create(tx, id, csv, std::move(created_by));
    }));
    return id;
  }
  Outcome run(const std::string& id) { return run_sync(parts_->importer->run(id, no_stop_)); }
  ImportJob job(const std::string& id) { return *run_sync(parts_->jobs->find(id)); }
  std::vector<std::pair<std::string, std::int64_t>> skus() {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& row : run_sync(parts_->store->query(kSkus)).rows)
      out.emplace_back(row.text("sku"), row.int64("version"));
    return out;
  }

  std::atomic<bool> no_stop_{false};
  std::unique_ptr<CatalogParts> parts_;
};

TEST_P(CatalogImport, GoodLinesAreImportedAndBadOnesReportedByLine) {
  const auto id = queue_job(std::string(kHeader) +
                            "A-1,Mug,\"Blue, 350 ml\",1499,USD,10\r\n"  // line 2
                            "A-2,Cup,,abc,USD,1\r\n"                    // line 3: bad amount
                            "A-3,\"Two\nline name\",,100,EUR,0\r\n"     // lines 4-5
                            "A-4,Plate,,100,EUR\r\n"                    // line 6: a field short
                            "bad\"sku,x,,1,USD,1\r\n"                   // line 7: malformed
                            "A-5,Bowl,,250,GBP,3\r\n");                 // line 8
  EXPECT_EQ(job(id).status, "queued");
  EXPECT_EQ(run(id), Outcome::finished);
  const auto done = job(id);
  EXPECT_EQ(done.status, "done");
  EXPECT_EQ(done.total, 6);
  EXPECT_EQ(done.processed, 6);
  EXPECT_EQ(done.failed, 3);
  ASSERT_EQ(done.errors.size(), 3U);
  EXPECT_EQ(done.errors[0].as_object().at("line").as_int64(), 3);
  EXPECT_NE(std::string(done.errors[0].as_object().at("message").as_string()).find("price_amount"), std::string::npos);
  EXPECT_EQ(done.errors[1].as_object().at("line").as_int64(), 6);
  EXPECT_EQ(done.errors[2].as_object().at("line").as_int64(), 7);
  EXPECT_TRUE(done.finished_at);
  const auto expected = std::vector<std::pair<std::string, std::int64_t>>{{"A-1", 1}, {"A-3", 1}, {"A-5", 1}};
  EXPECT_EQ(skus(), expected);
  const auto page = run_sync(parts_->products->page(PageRequest{"line", 0, 10}));
  ASSERT_EQ(page.items.size(), 1U);
  EXPECT_EQ(page.items[0].name, "Two\nline name");
  EXPECT_EQ(page.items[0].price, (core::Money{100, "EUR"}));
}

TEST_P(CatalogImport, ExistingSkuIsUpdatedAndItsCachedCopyDropped) {
  const auto existing = parts_->create("A-1", 1, "Old", "", 5);
  ASSERT_TRUE(run_sync(parts_->product_cache->get(existing.id)));  // now cached
  const auto id = queue_job(std::string(kHeader) + "A-1,New name,new,777,USD,42\n");
  EXPECT_EQ(run(id), Outcome::finished);
  const auto updated = parts_->find(existing.id);
  EXPECT_EQ(updated->name, "New name");
  EXPECT_EQ(updated->stock, 42);
  EXPECT_EQ(updated->version, 2);
  const auto cached = run_sync(parts_->product_cache->get(existing.id));
  EXPECT_EQ(cached->version, 2) << "the import invalidated the cached product";
}

TEST_P(CatalogImport, ARedeliveredJobIsNotImportedTwice) {
  const auto id = queue_job(std::string(kHeader) + "A-1,Mug,,1,USD,1\nA-2,Cup,,1,USD,1\nA-3,Bowl,,1,USD,1\n");
  EXPECT_EQ(run(id), Outcome::finished);
  EXPECT_EQ(run(id), Outcome::skipped);
  const auto expected = std::vector<std::pair<std::string, std::int64_t>>{{"A-1", 1}, {"A-2", 1}, {"A-3", 1}};
  EXPECT_EQ(skus(), expected) << "version 2 would mean a line was upserted twice";
  EXPECT_EQ(job(id).processed, 3);
}

TEST_P(CatalogImport, AJobResumesAfterItsLastCommittedBatch) {
  const auto id = queue_job(std::string(kHeader) + "A-1,a,,1,USD,1\nA-2,b,,1,USD,1\nA-3,c,,1,USD,1\nA-4,d,,1,USD,1\n");
  // As if a worker committed the first batch (lines of) and then
  // crashed: the progress says 2, and those lines are not run again.
  (void)run_sync(parts_->store->execute(kJumpProgress, store::params(id, 2)));
  EXPECT_EQ(run(id), Outcome::finished);
  const auto expected = std::vector<std::pair<std::string, std::int64_t>>{{"A-3", 1}, {"A-4", 1}};
  EXPECT_EQ(skus(), expected);
  EXPECT_EQ(job(id).processed, 4);
  EXPECT_EQ(job(id).status, "done");
}

TEST_P(CatalogImport, StopLeavesTheJobRunningToResumeLater) {
  const auto id = queue_job(std::string(kHeader) + "A-1,a,,1,USD,1\n");
  std::atomic<bool> stop{true};
  EXPECT_EQ(run_sync(parts_->importer->run(id, stop)), Outcome::interrupted);
  EXPECT_EQ(job(id).status, "running");
  EXPECT_EQ(run(id), Outcome::finished);
  EXPECT_EQ(skus().size(), 1U);
}

TEST_P(CatalogImport, TwoWorkersOnOneJobImportEachLineOnce) {
  std::string csv(kHeader);
  for (int i = 0; i < 30; ++i) csv += "S-" + std::to_string(100 + i) + ",n,,1,USD,1\n";
  const auto id = queue_job(csv);
  asio::io_context context;
  std::vector<Outcome> outcomes;
  for (int worker = 0; worker < 2; ++worker) {
    auto work = [this, &outcomes, id]() -> asio::awaitable<void> {
      outcomes.push_back(co_await parts_->importer->run(id, no_stop_));
    };
    asio::co_spawn(context, std::move(work), asio::detached);
  }
  context.run();
  ASSERT_EQ(outcomes.size(), 2U);
  const auto rows = skus();
  EXPECT_EQ(rows.size(), 30U);
  for (const auto& [sku, version] : rows) EXPECT_EQ(version, 1) << sku << " was imported twice";
  EXPECT_EQ(job(id).processed, 30);
  EXPECT_EQ(job(id).failed, 0);
  EXPECT_EQ(job(id).status, "done");
}

TEST_P(CatalogImport, ABadHeaderFailsTheJob) {
  const auto id = queue_job("sku;name;price\nA-1;x;1\n");
  EXPECT_EQ(run(id), Outcome::finished);
  const auto failed = job(id);
  EXPECT_EQ(failed.status, "failed");
  ASSERT_EQ(failed.errors.size(), 1U);
  EXPECT_EQ(failed.errors[0].as_object().at("line").as_int64(), 1);
  EXPECT_TRUE(skus().empty());
}

TEST_P(CatalogImport, ErrorsKeptAreBoundedButAllAreCounted) {
  parts_ = std::make_unique<CatalogParts>(GetParam(), ImportOptions{.batch_size = 50, .max_errors = 3});
  std::string csv(kHeader);
  for (int i = 0; i < 10; ++i) csv += "bad sku,n,,1,USD,1\n";
  const auto id = queue_job(csv);
  EXPECT_EQ(run(id), Outcome::finished);
  EXPECT_EQ(job(id).failed, 10);
  EXPECT_EQ(job(id).errors.size(), 3U);
}

INSTANTIATE_TEST_SUITE_P(Stores, CatalogImport, ::testing::ValuesIn(testing::store_kinds()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::catalog
