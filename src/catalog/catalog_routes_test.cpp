// The Catalog rows of API.md through the router and the real handlers (on
// SQLite), with the caller set the way the auth middleware sets it, and an
// import carried through the embedded queue by the bulk worker. The same rows
// over real sockets with real tokens: tests/e2e/catalog_test.cpp.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "catalog/bulk_worker.hpp"
#include "catalog/catalog_routes.hpp"
#include "catalog/catalog_test_support.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/event_outbox.hpp"

namespace orderly::catalog {
namespace {

using core::run_sync;
namespace json = boost::json;

enum class Caller { anonymous, customer, admin };

class CatalogRoutes : public ::testing::Test {
 protected:
  CatalogRoutes()
      : parts_(testing::store_kinds().front()),
        broker_(*parts_.store, parts_.clock, parts_.random, parts_.metrics),
        outbox_(broker_),
        product_handlers_(*parts_.products, *parts_.product_cache),
        import_handlers_(*parts_.store, *parts_.jobs, outbox_, parts_.random),
        worker_(broker_, *parts_.importer, BulkWorkerOptions{}) {
    add_catalog_routes(router_, product_handlers_, import_handlers_, CatalogRouteOptions{.import_body_limit = 4096});
  }

  net::Response call(std::string method, std::string target, std::string body = {}, Caller caller = Caller::admin,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::Request request;
    request.method = std::move(method);
    request.target = target;
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = std::move(body);
    for (auto& [name, value] : headers) request.headers.add(name, value);
    net::RequestContext context;
    if (caller != Caller::anonymous) {
      context.principal = net::Principal{"user-1", {caller == Caller::admin ? "admin" : "customer"}};
    }
    auto match = router_.match(request.method, request.path);
    if (match.route == nullptr)
      return net::Response::problem(match.allow.empty() ? 404 : 405, "/problems/routing", "no route");
    context.route = match.route;
    context.path_params = std::move(match.params);
    try {
      return run_sync(match.route->handler(context, request));
    } catch (const core::ProblemError& error) {
      return net::Response::problem(error.problem());
    }
  }
  static json::object body_of(const net::Response& response) { return json::parse(response.body).as_object(); }
  static std::string header(const net::Response& response, std::string_view name) {
    const auto value = response.headers.get(name);
    return value ? std::string(*value) : std::string();
  }
  std::string create_mug() {
    const auto created =
        call("POST", "/api/v1/products",
             R"({"sku":"MUG-1","name":"Blue mug","price":{"amount":1499,"currency":"USD"},"stock":5})");
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(body_of(created).at("id").as_string());
  }

  testing::CatalogParts parts_;
  queue::EmbeddedBroker broker_;
  queue::EmbeddedEventOutbox outbox_;
  ProductHandlers product_handlers_;
  ImportHandlers import_handlers_;
  BulkWorker worker_;
  net::Router router_;
};

TEST_F(CatalogRoutes, CreateAnswers201WithLocationAndETag) {
  const auto created =
      call("POST", "/api/v1/products", R"({"sku":"MUG-1","name":"Blue mug","price":{"amount":1499,"currency":"USD"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto body = body_of(created);
  const auto id = std::string(body.at("id").as_string());
  EXPECT_EQ(header(created, "Location"), "/api/v1/products/" + id);
  EXPECT_EQ(header(created, "ETag"), "\"v1\"");
  EXPECT_EQ(body.at("price").as_object().at("amount").as_int64(), 1499);
  EXPECT_EQ(body.at("stock").as_int64(), 0);

  EXPECT_EQ(
      call("POST", "/api/v1/products", R"({"sku":"MUG-1","name":"x","price":{"amount":1,"currency":"USD"}})").status,
      409);
  const auto invalid = call("POST", "/api/v1/products", R"({"sku":"MUG 2","price":{"amount":-1,"currency":"USD"}})");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(body_of(invalid).at("errors").as_array().size(), 3U) << invalid.body;  // sku, price.amount, name
  EXPECT_EQ(call("POST", "/api/v1/products", "{oops").status, 400);
}

TEST_F(CatalogRoutes, WritesNeedAnAdminReadsDoNot) {
  const auto id = create_mug();
  const auto patch_body = std::string(R"({"stock":1})");
  EXPECT_EQ(call("POST", "/api/v1/products", "{}", Caller::anonymous).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/products", "{}", Caller::customer).status, 403);
  EXPECT_EQ(call("PATCH", "/api/v1/products/" + id, patch_body, Caller::customer).status, 403);
  EXPECT_EQ(call("DELETE", "/api/v1/products/" + id, "", Caller::anonymous).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/products/import", "x", Caller::customer).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/jobs/abc", "", Caller::customer).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/products/" + id, "", Caller::anonymous).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/products", "", Caller::anonymous).status, 200);
}

TEST_F(CatalogRoutes, GetHonoursIfNoneMatchAndPatchIfMatch) {
  const auto id = create_mug();
  const auto path = "/api/v1/products/" + id;
  const auto first = call("GET", path, "", Caller::anonymous);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(header(first, "ETag"), "\"v1\"");
  const auto not_modified = call("GET", path, "", Caller::anonymous, {{"If-None-Match", "\"v1\""}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(header(not_modified, "ETag"), "\"v1\"");
  EXPECT_TRUE(not_modified.body.empty());

  const auto patched = call("PATCH", path, R"({"name":"Green mug"})", Caller::admin, {{"If-Match", "\"v1\""}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(header(patched, "ETag"), "\"v2\"");
  EXPECT_EQ(body_of(patched).at("name").as_string(), "Green mug");
  const auto stale = call("PATCH", path, R"({"name":"Red mug"})", Caller::admin, {{"If-Match", "\"v1\""}});
  EXPECT_EQ(stale.status, 412);
  // The cache was invalidated by the PATCH: the old ETag now gets the new body.
  const auto after = call("GET", path, "", Caller::anonymous, {{"If-None-Match", "\"v1\""}});
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(body_of(after).at("name").as_string(), "Green mug");
  EXPECT_EQ(call("PATCH", path, R"({"stock":"many"})").status, 422);
  EXPECT_EQ(call("PATCH", "/api/v1/products/ffffffffffffffffffffffff", "{}").status, 404);
}

TEST_F(CatalogRoutes, DeleteThenGetIs404) {
  const auto id = create_mug();
  const auto path = "/api/v1/products/" + id;
  ASSERT_EQ(call("GET", path).status, 200);  // cached now
  EXPECT_EQ(call("DELETE", path, "", Caller::admin, {{"If-Match", "\"v9\""}}).status, 412);
  EXPECT_EQ(call("DELETE", path).status, 204);
  EXPECT_EQ(call("GET", path).status, 404);
  EXPECT_EQ(call("DELETE", path).status, 404);
}

TEST_F(CatalogRoutes, ListPagesWithCursorsAndSearches) {
  for (int i = 0; i < 5; ++i) {
    const auto body =
        R"({"sku":"LAMP-)" + std::to_string(i) + R"(","name":"Desk lamp","price":{"amount":1,"currency":"USD"}})";
    ASSERT_EQ(call("POST", "/api/v1/products", body).status, 201);
  }
  create_mug();
  auto page = body_of(call("GET", "/api/v1/products?limit=4"));
  EXPECT_EQ(page.at("items").as_array().size(), 4U);
  const auto cursor = std::string(page.at("next_cursor").as_string());
  page = body_of(call("GET", "/api/v1/products?limit=4&cursor=" + cursor));
  EXPECT_EQ(page.at("items").as_array().size(), 2U);
  EXPECT_TRUE(page.at("next_cursor").is_null());
  const auto found = body_of(call("GET", "/api/v1/products?q=desk+LAMP"));
  EXPECT_EQ(found.at("items").as_array().size(), 5U);
  EXPECT_EQ(call("GET", "/api/v1/products?limit=101").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/products?cursor=bogus").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/products?q=%FF").status, 422);
}

TEST_F(CatalogRoutes, ImportGoesThroughTheQueueToTheBulkWorker) {
  const auto accepted = call("POST", "/api/v1/products/import",
                             "sku,name,description,price_amount,price_currency,stock\n"
                             "NEW-1,Lamp,,4500,USD,5\n"
                             "NEW-2,Chair,,oops,USD,5\n");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const auto job_id = std::string(body_of(accepted).at("job_id").as_string());
  EXPECT_EQ(header(accepted, "Location"), "/api/v1/jobs/" + job_id);
  auto job = body_of(call("GET", "/api/v1/jobs/" + job_id));
  EXPECT_EQ(job.at("status").as_string(), "queued");

  EXPECT_EQ(run_sync(worker_.poll_once()), 1U);
  job = body_of(call("GET", "/api/v1/jobs/" + job_id));
  EXPECT_EQ(job.at("status").as_string(), "done");
  EXPECT_EQ(job.at("processed").as_int64(), 2);
  EXPECT_EQ(job.at("failed").as_int64(), 1);
  EXPECT_EQ(job.at("imported").as_int64(), 1);
  EXPECT_EQ(job.at("errors").as_array().at(0).as_object().at("line").as_int64(), 3);
  EXPECT_EQ(body_of(call("GET", "/api/v1/products?q=lamp")).at("items").as_array().size(), 1U);
  EXPECT_EQ(run_sync(worker_.poll_once()), 0U) << "the message was acked";

  // The same job's message delivered again (as after a lost ack) changes nothing.
  queue::Message again{"redelivered", "bulk", "catalog.import", 1, R"({"job_id":")" + job_id + R"("})", "", ""};
  run_sync(broker_.publish(again));
  EXPECT_EQ(run_sync(worker_.poll_once()), 1U);
  EXPECT_EQ(
      body_of(call("GET", "/api/v1/products?q=lamp")).at("items").as_array().at(0).as_object().at("version").as_int64(),
      1);
}

TEST_F(CatalogRoutes, ImportRefusesACsvWithoutItsHeader) {
  const auto refused = call("POST", "/api/v1/products/import", "NEW-1,Lamp,,4500,USD,5\n");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(call("POST", "/api/v1/products/import", "").status, 422);
  EXPECT_EQ(call("GET", "/api/v1/jobs/ffffffffffffffffffffffff").status, 404);
  EXPECT_EQ(run_sync(worker_.poll_once()), 0U) << "nothing was queued";
}

TEST_F(CatalogRoutes, BulkWorkerNacksMessagesItDoesNotKnow) {
  run_sync(broker_.publish(queue::Message{"odd", "bulk", "catalog.export", 1, "{}", "", ""}));
  EXPECT_EQ(run_sync(worker_.poll_once()), 1U);
  EXPECT_TRUE(run_sync(broker_.receive("bulk", 10)).empty()) << "nacked: back only after its back-off";
}

TEST_F(CatalogRoutes, ImportRouteHasItsOwnBodyLimit) {
  const auto match = router_.match("POST", "/api/v1/products/import");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->options.body_limit, 4096U);
}

}  // namespace
}  // namespace orderly::catalog
