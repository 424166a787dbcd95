// The Catalog rows of API.md on the real binary over real sockets, with real
// tokens: the seeded catalog, cursor pages and search, ETag / If-None-Match
// (304) / If-Match (412), 409 / 422 / 404, who may write (401 / 403), the
// import's own body limit, and a CSV import run by the bulk worker and polled
// to completion with its per-line errors and, mid-job, its progress by batch.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

OrderlyProcess::Options with_admin(std::vector<std::string> extra_args = {}) {
  OrderlyProcess::Options options;
  options.environment = {admin_password_environment()};
  options.extra_args = std::move(extra_args);
  return options;
}

std::string product_body(std::string_view sku, std::string_view name, std::int64_t amount, std::int64_t stock) {
  return json::serialize(json::object{{"sku", sku},
                                      {"name", name},
                                      {"price", json::object{{"amount", amount}, {"currency", "USD"}}},
                                      {"stock", stock}});
}

std::vector<std::string> skus_of(const HttpResponse& page) {
  std::vector<std::string> skus;
  const auto body = json_of(page);  // named: a range-for over a temporary's member would dangle
  for (const auto& item : body.at("items").as_array()) skus.emplace_back(item.at("sku").as_string());
  return skus;
}

TEST(CatalogApi, FreshServerShowsTheSampleCatalogInCursorPages) {
  OrderlyProcess server(with_admin());
  std::set<std::string> seen;
  std::string target = "/api/v1/products?limit=5";
  int pages = 0;
  while (pages < 10) {  // 12 samples: 3 pages; the bound catches a cursor that never ends
    const auto page = api_request(server.port(), "GET", target);
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    for (const auto& sku : skus_of(page)) EXPECT_TRUE(seen.insert(sku).second) << sku << " seen twice";
    const auto next = json_of(page).at("next_cursor");
    if (next.is_null()) break;
    target = "/api/v1/products?limit=5&cursor=" + std::string(next.as_string());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 12U);

  const auto mugs = api_request(server.port(), "GET", "/api/v1/products?q=ceramic+mug");
  ASSERT_EQ(mugs.status, 200);
  EXPECT_EQ(skus_of(mugs), (std::vector<std::string>{"MUG-BLUE", "MUG-WHITE"}));
  const auto item = json_of(mugs).at("items").at(0).as_object();
  for (const auto* field : {"id", "sku", "name", "description", "price", "stock", "version", "updated_at"}) {
    EXPECT_TRUE(item.contains(field)) << field;
  }
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/products?limit=0").status, 422);
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/products?cursor=forged").status, 422);
}

TEST(CatalogApi, ProductLifecycleWithConditionalRequests) {
  OrderlyProcess server(with_admin());
  const auto admin = admin_session(server.port());
  const auto created = api_request(server.port(), "POST", "/api/v1/products",
                                   product_body("LAMP-9", "Floor lamp", 8900, 4), admin.access_token);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = std::string(json_of(created).at("id").as_string());
  const auto path = "/api/v1/products/" + id;
  EXPECT_EQ(created.header("Location"), path);
  EXPECT_EQ(created.header("ETag"), "\"v1\"");

  const auto read = api_request(server.port(), "GET", path);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.header("ETag"), "\"v1\"");
  EXPECT_EQ(json_of(read).at("price").at("amount").as_int64(), 8900);
  const auto not_modified = api_request(server.port(), "GET", path, {}, {}, {{"If-None-Match", "\"v1\""}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.header("ETag"), "\"v1\"");
  EXPECT_TRUE(not_modified.body.empty());

  const auto patched = api_request(server.port(), "PATCH", path, R"({"stock":10,"name":"Tall floor lamp"})",
                                   admin.access_token, {{"If-Match", "\"v1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.header("ETag"), "\"v2\"");
  EXPECT_EQ(json_of(patched).at("stock").as_int64(), 10);
  const auto stale =
      api_request(server.port(), "PATCH", path, R"({"stock":1})", admin.access_token, {{"If-Match", "\"v1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(json_of(stale).at("type").as_string(), "/problems/precondition-failed");
  const auto fresh = api_request(server.port(), "GET", path, {}, {}, {{"If-None-Match", "\"v1\""}});
  EXPECT_EQ(fresh.status, 200) << "the PATCH invalidated the cached copy";
  EXPECT_EQ(json_of(fresh).at("name").as_string(), "Tall floor lamp");

  const auto taken =
      api_request(server.port(), "POST", "/api/v1/products", product_body("LAMP-9", "Other", 1, 1), admin.access_token);
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(json_of(taken).at("type").as_string(), "/problems/sku-taken");
  const auto invalid =
      api_request(server.port(), "POST", "/api/v1/products",
                  R"({"sku":"bad sku","name":"","price":{"amount":-5,"currency":"dollars"}})", admin.access_token);
  ASSERT_EQ(invalid.status, 422);
  EXPECT_EQ(json_of(invalid).at("errors").as_array().size(), 4U) << invalid.body;
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/products", "{nope", admin.access_token).status, 400);

  EXPECT_EQ(api_request(server.port(), "DELETE", path, {}, admin.access_token).status, 204);
  EXPECT_EQ(api_request(server.port(), "GET", path).status, 404);
  EXPECT_EQ(api_request(server.port(), "PATCH", path, "{}", admin.access_token).status, 404);
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/products/no-such-id").status, 404);
}

TEST(CatalogApi, OnlyAdminsWrite) {
  OrderlyProcess server(with_admin());
  const auto customer = new_customer(server.port());
  const auto some_id = std::string(
      json_of(api_request(server.port(), "GET", "/api/v1/products?limit=1")).at("items").at(0).at("id").as_string());
  const auto path = "/api/v1/products/" + some_id;
  const auto anonymous = api_request(server.port(), "POST", "/api/v1/products", product_body("X-1", "x", 1, 1));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(
      api_request(server.port(), "POST", "/api/v1/products", product_body("X-1", "x", 1, 1), customer.access_token)
          .status,
      403);
  EXPECT_EQ(api_request(server.port(), "PATCH", path, "{}", customer.access_token).status, 403);
  EXPECT_EQ(api_request(server.port(), "DELETE", path, {}, customer.access_token).status, 403);
  EXPECT_EQ(api_request(server.port(), "DELETE", path).status, 401);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/products/import", "sku\n", customer.access_token).status, 403);
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/jobs/abc", {}, customer.access_token).status, 403);
  EXPECT_EQ(api_request(server.port(), "GET", path, {}, customer.access_token).status, 200) << "anyone reads";
}

TEST(CatalogApi, ImportJobRunsInTheBulkWorkerAndReportsBadLines) {
  OrderlyProcess server(with_admin());
  const auto admin = admin_session(server.port());
  const std::string csv =
      "sku,name,description,price_amount,price_currency,stock\r\n"
      "IMP-1,Imported kettle,\"Steel, 1.7 l\",3900,USD,12\r\n"    // line 2
      "IMP-2,Broken price,,12.50,USD,1\r\n"                       // line 3
      "MUG-BLUE,Blue mug (new glaze),,1599,USD,99\r\n"            // line 4: updates a sample
      "IMP-3,Lower-case currency,,100,usd,1\r\n"                  // line 5
      "IMP-4,\"Toaster\nwith a two-line name\",,2500,EUR,3\r\n";  // lines 6-7
  const auto accepted = api_request(server.port(), "POST", "/api/v1/products/import", csv, admin.access_token,
                                    {{"Content-Type", "text/csv"}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const auto job_id = std::string(json_of(accepted).at("job_id").as_string());
  EXPECT_EQ(accepted.header("Location"), "/api/v1/jobs/" + job_id);

  json::object job;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {  // poll the job until it ends (bounded)
    const auto polled = api_request(server.port(), "GET", "/api/v1/jobs/" + job_id, {}, admin.access_token);
    ASSERT_EQ(polled.status, 200) << polled.body;
    job = json_of(polled).as_object();
    if (job.at("status") == "done" || job.at("status") == "failed") break;
    std::this_thread::sleep_for(50ms);  // pacing the poll; the status ends it
  }
  ASSERT_EQ(job.at("status"), "done") << json::serialize(job);
  EXPECT_EQ(job.at("processed").as_int64(), 5);
  EXPECT_EQ(job.at("failed").as_int64(), 2);
  const auto& errors = job.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors[0].at("line").as_int64(), 3);
  EXPECT_NE(std::string(errors[0].at("message").as_string()).find("price_amount"), std::string::npos);
  EXPECT_EQ(errors[1].at("line").as_int64(), 5);
  EXPECT_NE(std::string(errors[1].at("message").as_string()).find("price_currency"), std::string::npos);

  EXPECT_EQ(skus_of(api_request(server.port(), "GET", "/api/v1/products?q=kettle")),
            (std::vector<std::string>{"IMP-1"}));
  const auto mug = api_request(server.port(), "GET", "/api/v1/products?q=glaze");
  ASSERT_EQ(skus_of(mug), (std::vector<std::string>{"MUG-BLUE"}));
  EXPECT_EQ(json_of(mug).at("items").at(0).at("stock").as_int64(), 99) << "an existing sku is updated";
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/jobs/ffffffffffffffffffffffff", {}, admin.access_token).status,
            404);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/products/import", "no,header\n", admin.access_token).status,
            422);
}

// Progress is saved after every batch, so a poll while the job runs sees a
// count strictly between 0 and the total (always a whole number of batches).
// With one batch for the whole file (batch size >= lines) it would see only
// 0 and the total, and the test fails.
TEST(CatalogApi, ImportProgressIsVisibleBetweenBatches) {
  constexpr int kLines = 3000;
  constexpr int kBatch = 5;
  OrderlyProcess server(with_admin({"--set", "catalog.import_batch_size=" + std::to_string(kBatch)}));
  const auto admin = admin_session(server.port());
  std::string csv = "sku,name,description,price_amount,price_currency,stock\n";
  for (int line = 0; line < kLines; ++line) csv += "PROG-" + std::to_string(line) + ",Progress item,,100,USD,1\n";
  const auto accepted = api_request(server.port(), "POST", "/api/v1/products/import", csv, admin.access_token,
                                    {{"Content-Type", "text/csv"}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const auto job_id = std::string(json_of(accepted).at("job_id").as_string());

  json::object job;
  std::vector<std::int64_t> midway;  // processed counts seen while running, strictly between 0 and the total
  std::int64_t last = 0;
  bool went_back = false;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {  // poll the job until it ends (bounded)
    const auto polled = api_request(server.port(), "GET", "/api/v1/jobs/" + job_id, {}, admin.access_token);
    ASSERT_EQ(polled.status, 200) << polled.body;
    job = json_of(polled).as_object();
    const auto processed = job.at("processed").as_int64();
    went_back = went_back || processed < last;
    last = processed;
    if (job.at("status") == "running" && processed > 0 && processed < kLines) midway.push_back(processed);
    if (job.at("status") == "done" || job.at("status") == "failed") break;
    std::this_thread::sleep_for(2ms);  // pacing the poll; the status ends it
  }
  ASSERT_EQ(job.at("status"), "done") << json::serialize(job);
  EXPECT_EQ(job.at("total").as_int64(), kLines);
  EXPECT_EQ(job.at("processed").as_int64(), kLines);
  EXPECT_FALSE(went_back) << "progress never goes backwards";
  ASSERT_FALSE(midway.empty()) << "no poll saw the job between 0 and " << kLines << " lines";
  for (const auto processed : midway)
    EXPECT_EQ(processed % kBatch, 0) << processed << " is not a whole number of batches";
  RecordProperty("polls_midway", static_cast<int>(midway.size()));
}

TEST(CatalogApi, ImportHasItsOwnBodyLimit) {
  OrderlyProcess server(with_admin({"--set", "catalog.import_body_limit=2KiB"}));
  const auto admin = admin_session(server.port());
  std::string csv = "sku,name,description,price_amount,price_currency,stock\n";
  while (csv.size() < 3000) csv += "BIG-" + std::to_string(csv.size()) + ",n,,1,USD,1\n";
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/products/import", csv, admin.access_token).status, 413);
  // The default 1 MiB limit of other routes is not the import's: a 1.5 MiB CSV goes through by default.
  OrderlyProcess roomy(with_admin());
  const auto roomy_admin = admin_session(roomy.port());
  const std::string long_description(4000, 'x');  // few, large lines: the worker has little to do
  while (csv.size() < 1536 * 1024) csv += "BIG-" + std::to_string(csv.size()) + ",n," + long_description + ",1,USD,1\n";
  EXPECT_EQ(api_request(roomy.port(), "POST", "/api/v1/products/import", csv, roomy_admin.access_token).status, 202);
}

TEST(CatalogApi, SamplesAreSeededOnlyOnce) {
  char folder[] = "/tmp/orderly-e2e-catalog-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  const std::string data_dir = folder;
  OrderlyProcess::Options options = with_admin();
  options.args = {"serve",     "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--data-dir", data_dir,
                  "--threads", "2"};
  {
    OrderlyProcess first(options);
    const auto admin = admin_session(first.port());
    const auto page = json_of(api_request(first.port(), "GET", "/api/v1/products?limit=100"));
    for (const auto& item : page.at("items").as_array()) {
      const auto path = "/api/v1/products/" + std::string(item.at("id").as_string());
      EXPECT_EQ(api_request(first.port(), "DELETE", path, {}, admin.access_token).status, 204);
    }
    first.send_signal(SIGTERM);
    EXPECT_EQ(first.wait_exit(20s), 0);
  }
  OrderlyProcess second(options);
  EXPECT_TRUE(skus_of(api_request(second.port(), "GET", "/api/v1/products")).empty())
      << "deleting every product must not bring the samples back";
  second.send_signal(SIGTERM);
  EXPECT_EQ(second.wait_exit(20s), 0);

  OrderlyProcess::Options unseeded = with_admin({"--set", "catalog.seed_sample_products=false"});
  OrderlyProcess third(unseeded);
  EXPECT_TRUE(skus_of(api_request(third.port(), "GET", "/api/v1/products")).empty());
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace orderly::testing
