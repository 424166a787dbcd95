// GET /api/v1/notifications (own rows only, newest first, cursor pages) on
// SQLite and PostgreSQL, and the admin dead-letter endpoints, through the
// real route handlers with the caller set as the auth middleware would.
#include <filesystem>
#include <memory>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/problem.hpp"
#include "core/run_sync.hpp"
#include "notify/notification_routes.hpp"
#include "notify/notification_store.hpp"
#include "notify/schema.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::notify {
namespace {

using core::run_sync;
namespace json = boost::json;
namespace fs = std::filesystem;

enum class Engine { sqlite, postgres };

net::Principal customer(std::string id) { return net::Principal{std::move(id), {"customer"}}; }
net::Principal admin() { return net::Principal{"usr_admin", {"customer", "admin"}}; }

net::Response call(const net::Router& router, std::string method, std::string target,
                   std::optional<net::Principal> who) {
  net::Request request;
  request.method = method;
  request.target = target;
  const auto question = target.find('?');
  request.path = target.substr(0, question);
  request.query = question == std::string::npos ? "" : target.substr(question + 1);
  const auto match = router.match(method, request.path);
  if (match.route == nullptr) return net::Response::problem(404, "/problems/not-found", "Not found");
  net::RequestContext context;
  context.route = match.route;
  context.path_params = match.params;
  context.principal = std::move(who);
  try {
    return run_sync(match.route->handler(context, request));
  } catch (const core::ProblemError& error) {
    return net::Response::problem(error.problem());
  }
}

class NotificationRoutesTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::postgres) {
      store_ = std::make_unique<store::postgres::testing::SchemaStore>(metrics_);
    } else {
      char folder[] = "/tmp/orderly-notify-routes-XXXXXX";
      ASSERT_NE(mkdtemp(folder), nullptr);
      folder_ = folder;
      store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/o.db"},
                                                            metrics_);
    }
    run_sync(store::migrate(*store_, store::orderly_migrations()));
    run_sync(store::migrate(*store_, notify_migrations()));
    queue::EmbeddedBrokerOptions options;
    options.retry.delivery_limit = 1;
    broker_ = std::make_unique<queue::EmbeddedBroker>(*store_, clock_, random_, metrics_, options);
    add_notification_routes(router_, *store_);
    add_dead_letter_routes(router_, *broker_, queues_);
  }
  void TearDown() override {
    broker_.reset();
    store_.reset();
    if (!folder_.empty()) fs::remove_all(folder_);
  }

  void add_row(std::string id, std::string user, std::string created_at) {
    NotificationStore notifications(*store_);
    Notification row{id, std::move(user), "ord_" + id, "maildir", "payment_confirmed", "queued", 0, {}, {}};
    (void)run_sync(notifications.record_queued(std::move(row), "msg_" + id, std::move(created_at)));
  }
  std::vector<std::string> ids(const net::Response& response) {
    std::vector<std::string> out;
    const auto body = json::parse(response.body);  // named: a range-for over a temporary's member dangles
    for (const auto& item : body.at("items").as_array()) {
      out.emplace_back(item.at("id").as_string());
    }
    return out;
  }
  static json::value next_cursor(const net::Response& response) {
    return json::parse(response.body).at("next_cursor");
  }

  std::string folder_;
  core::ManualClock clock_;
  core::SeededRandom random_{3};
  core::metrics::Registry metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<queue::EmbeddedBroker> broker_;
  const std::vector<std::string> queues_{"notifications", "imports"};
  net::Router router_;
};

TEST_P(NotificationRoutesTest, ListingNeedsAUser) {
  const auto response = call(router_, "GET", "/api/v1/notifications", std::nullopt);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.headers.get("WWW-Authenticate").value_or(""), "Bearer");
}

TEST_P(NotificationRoutesTest, ListsOnlyTheCallersOwnNewestFirstInPages) {
  add_row("a", "usr_1", "2024-01-01T10:00:00.000Z");
  add_row("b", "usr_1", "2024-01-01T10:00:01.000Z");
  add_row("c", "usr_1", "2024-01-01T10:00:01.000Z");  // same instant as b: the id breaks the tie
  add_row("d", "usr_2", "2024-01-01T10:00:02.000Z");
  add_row("e", "usr_1", "2024-01-01T10:00:03.000Z");

  const auto all = call(router_, "GET", "/api/v1/notifications", customer("usr_1"));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(ids(all), (std::vector<std::string>{"e", "c", "b", "a"}));
  EXPECT_TRUE(next_cursor(all).is_null());
  const auto first = json::parse(all.body).at("items").at(0).as_object();
  EXPECT_EQ(first.at("template").as_string(), "payment_confirmed");
  EXPECT_EQ(first.at("status").as_string(), "queued");
  EXPECT_EQ(first.at("channel").as_string(), "maildir");
  EXPECT_EQ(first.at("attempts").as_int64(), 0);
  EXPECT_EQ(first.at("created_at").as_string(), "2024-01-01T10:00:03.000Z");
  EXPECT_FALSE(first.contains("last_error")) << "operators' detail stays internal";

  std::vector<std::string> paged;
  std::string target = "/api/v1/notifications?limit=3";
  for (int page = 0; page < 5; ++page) {
    const auto response = call(router_, "GET", target, customer("usr_1"));
    ASSERT_EQ(response.status, 200) << response.body;
    for (auto& id : ids(response)) paged.push_back(id);
    const auto cursor = next_cursor(response);
    if (cursor.is_null()) break;
    target = "/api/v1/notifications?limit=3&cursor=" + std::string(cursor.as_string());
  }
  EXPECT_EQ(paged, (std::vector<std::string>{"e", "c", "b", "a"}));

  EXPECT_EQ(ids(call(router_, "GET", "/api/v1/notifications", customer("usr_2"))), std::vector<std::string>{"d"});
  EXPECT_TRUE(ids(call(router_, "GET", "/api/v1/notifications", customer("usr_3"))).empty());
}

TEST_P(NotificationRoutesTest, BadPagingParametersAre422) {
  for (const char* query : {"limit=0", "limit=101", "limit=abc", "limit=", "cursor=bm9wZQ", "cursor=%25%%"}) {
    const auto response = call(router_, "GET", std::string("/api/v1/notifications?") + query, customer("usr_1"));
    EXPECT_EQ(response.status, 422) << query << ": " << response.body;
  }
}

TEST_P(NotificationRoutesTest, DeadLetterEndpointsAreForAdminsOnly) {
  EXPECT_EQ(call(router_, "GET", "/api/v1/admin/dlq", std::nullopt).status, 401);
  EXPECT_EQ(call(router_, "GET", "/api/v1/admin/dlq", customer("usr_1")).status, 403);
  EXPECT_EQ(call(router_, "POST", "/api/v1/admin/dlq/m1/replay", customer("usr_1")).status, 403);
}

TEST_P(NotificationRoutesTest, AdminsListDeadLettersWithoutPayloadsAndReplayThem) {
  queue::Message message{"m1", "notifications", "order.paid", 1,
                         R"({"email":"ada@example.com","name":"Ada Lovelace"})", "", ""};
  run_sync(broker_->publish(message));
  const auto got = run_sync(broker_->receive("notifications", 1));
  ASSERT_EQ(got.size(), 1U);
  ASSERT_TRUE(run_sync(broker_->nack(got[0], "smtp: Timeout was reached")));  // limit 1: dead at once

  const auto listing = call(router_, "GET", "/api/v1/admin/dlq", admin());
  ASSERT_EQ(listing.status, 200) << listing.body;
  EXPECT_EQ(listing.body.find("ada@example.com"), std::string::npos) << "no personal data: " << listing.body;
  EXPECT_EQ(listing.body.find("Lovelace"), std::string::npos);
  const auto items = json::parse(listing.body).at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("id").as_string(), "m1");
  EXPECT_EQ(items[0].at("queue").as_string(), "notifications");
  EXPECT_EQ(items[0].at("type").as_string(), "order.paid");
  EXPECT_EQ(items[0].at("attempts").as_int64(), 1);
  EXPECT_EQ(items[0].at("last_error").as_string(), "smtp: Timeout was reached");
  EXPECT_FALSE(items[0].at("created_at").as_string().empty());
  EXPECT_FALSE(items[0].as_object().contains("payload"));

  EXPECT_EQ(ids(call(router_, "GET", "/api/v1/admin/dlq?queue=imports", admin())).size(), 0U);
  EXPECT_EQ(call(router_, "GET", "/api/v1/admin/dlq?queue=nope", admin()).status, 422);

  EXPECT_EQ(call(router_, "POST", "/api/v1/admin/dlq/unknown/replay", admin()).status, 404);
  const auto replayed = call(router_, "POST", "/api/v1/admin/dlq/m1/replay", admin());
  EXPECT_EQ(replayed.status, 202) << replayed.body;
  EXPECT_EQ(call(router_, "POST", "/api/v1/admin/dlq/m1/replay", admin()).status, 404) << "no longer dead";
  const auto again = run_sync(broker_->receive("notifications", 1));
  ASSERT_EQ(again.size(), 1U) << "back on its queue";
  EXPECT_EQ(again[0].message.id, "m1");
  EXPECT_TRUE(ids(call(router_, "GET", "/api/v1/admin/dlq", admin())).empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, NotificationRoutesTest, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const ::testing::TestParamInfo<Engine>& engine) {
                           return engine.param == Engine::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace orderly::notify
