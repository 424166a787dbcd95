// The Orders routes through the request pipeline (principal set directly, as
// the authenticate middleware would): Idempotency-Key rules, replays, who
// sees what (BOLA: another customer's order and payment are 404), admin-only
// shipping, list pages.
#include "orders/order_routes.hpp"

#include <boost/json/parse.hpp>

#include "net/body_stream.hpp"
#include "net/pipeline.hpp"
#include "orders/checkout_saga.hpp"
#include "orders/saga_runner.hpp"
#include "orders/test_support.hpp"
#include "payments/payments_service.hpp"

namespace orderly::orders {
namespace {

using core::run_sync;

constexpr auto kBody =
    R"({"items":[{"product_id":"p1","quantity":1}],"payment_method_id":"pm-alice",)"
    R"("shipping_address":{"name":"Alice","line1":"1 Main St","city":"Paris","postal_code":"75001","country":"FR"}})";

class OrderRoutesTest : public testing::OrdersStoreTest {
 protected:
  void SetUp() override {
    OrdersStoreTest::SetUp();
    add_product("p1", 1000, 100);
    vault_.add("alice", "pm-alice", "4242424242424242");
    vault_.add("bob", "pm-bob", "4242424242424242");
    keys_ = std::make_unique<IdempotencyStore>(*store_, clock_, random_, IdempotencyOptions{});
    service_ = std::make_unique<OrderService>(
        OrderServiceParts{*store_, stock_, payments_, outbox_, users_, *keys_, clock_, random_, nullptr});
    saga_ = std::make_unique<CheckoutSaga>(*store_, stock_, payments_, outbox_, users_, clock_, random_,
                                           CheckoutSagaOptions{});
    runner_ = std::make_unique<SagaRunner>(*saga_, *store_, clock_, "r", SagaRunnerOptions{});
    streams_ = std::make_unique<OrderStatusStreams>(
        *service_, StatusStreamOptions{std::chrono::milliseconds(5), std::chrono::milliseconds(1), 1});
    add_order_routes(router_, *service_, *store_, *streams_);
  }

  net::Response call(const std::string& who, std::string method, std::string target, std::string body = {},
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::RequestContext context;
    net::Request request;
    request.method = std::move(method);
    request.target = target;
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.body = std::move(body);
    for (auto& [name, value] : headers) request.headers.add(name, value);
    if (!who.empty()) {
      context.principal = net::Principal{who, {who == "admin" ? "admin" : "customer"}};
    }
    auto match = router_.match(request.method, request.path);
    context.route = match.route;
    context.path_params = match.params;
    context.allow = match.allow;
    return run_sync(pipeline_.run(context, request));
  }
  net::Response post_order(const std::string& who, const std::string& key, const std::string& body = kBody) {
    return call(who, "POST", "/api/v1/orders", body, {{"Idempotency-Key", key}});
  }
  static std::string id_of(const net::Response& response) {
    return std::string(boost::json::parse(response.body).at("id").as_string());
  }

  testing::TableOutbox outbox_;
  testing::FakeVault vault_;
  testing::FakeUsers users_;
  testing::FakeProvider provider_;
  payments::PaymentsService payments_{vault_, provider_};
  std::unique_ptr<IdempotencyStore> keys_;
  std::unique_ptr<OrderService> service_;
  std::unique_ptr<CheckoutSaga> saga_;
  std::unique_ptr<SagaRunner> runner_;
  std::unique_ptr<OrderStatusStreams> streams_;
  net::Router router_;
  net::Pipeline pipeline_{router_};
};

TEST_P(OrderRoutesTest, IdempotencyKeyIsRequiredAndChecked) {
  EXPECT_EQ(call("alice", "POST", "/api/v1/orders", kBody).status, 400);
  EXPECT_EQ(post_order("alice", "").status, 400);
  EXPECT_EQ(post_order("alice", "has space").status, 400);
  EXPECT_EQ(post_order("alice", std::string(256, 'k')).status, 400);
  EXPECT_EQ(call("", "POST", "/api/v1/orders", kBody, {{"Idempotency-Key", "k"}}).status, 401);
  EXPECT_EQ(stock_of("p1"), 100);
}

TEST_P(OrderRoutesTest, CreatedThenReplayedByteForByteAndAnotherBodyIs422) {
  const auto created = post_order("alice", "k1");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(*created.headers.get("Location"), "/api/v1/orders/" + id_of(created));
  EXPECT_FALSE(created.headers.get("Idempotent-Replayed").has_value());
  const auto order = boost::json::parse(created.body).as_object();
  for (const auto* field : {"id", "status", "items", "total", "created_at", "history"}) {
    EXPECT_TRUE(order.contains(field)) << field;
  }

  const auto replay = post_order("alice", "k1");
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, created.body);
  EXPECT_EQ(*replay.headers.get("Idempotent-Replayed"), "true");
  EXPECT_EQ(*replay.headers.get("Location"), *created.headers.get("Location"));

  auto other = std::string(kBody);
  other.replace(other.find("\"quantity\":1"), 12, "\"quantity\":2");
  EXPECT_EQ(post_order("alice", "k1", other).status, 422);
  EXPECT_EQ(post_order("bob", "k1", R"({"items":[{"product_id":"p1","quantity":1}],"payment_method_id":"pm-bob",)"
                                    R"("shipping_address":{"name":"B","line1":"2 Rd","city":"Lyon","postal_code":"69001","country":"FR"}})")
                .status,
            201)
      << "keys are per user";
  EXPECT_EQ(stock_of("p1"), 98);
}

TEST_P(OrderRoutesTest, ACatalogThatIsDownIs503WithRetryAfterAndTheRetrySucceeds) {
  stock_.unavailable = true;
  const auto refused = post_order("alice", "k1");
  EXPECT_EQ(refused.status, 503);
  EXPECT_TRUE(refused.headers.get("Retry-After").has_value());
  EXPECT_NE(refused.body.find("/problems/service-unavailable"), std::string::npos);
  EXPECT_EQ(refused.body.find("catalog"), std::string::npos) << "the body does not describe the inside";
  stock_.unavailable = false;
  const auto created = post_order("alice", "k1");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(stock_of("p1"), 99);
}

TEST_P(OrderRoutesTest, BadBodiesAre400Or422AndReserveNothing) {
  EXPECT_EQ(post_order("alice", "k1", "{oops").status, 400);
  const auto invalid = post_order("alice", "k2", R"({"items":[{"product_id":"p1","quantity":0}]})");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("items[0].quantity"), std::string::npos);
  auto foreign = std::string(kBody);
  foreign.replace(foreign.find("pm-alice"), 8, "pm-bob");
  const auto stolen_card = post_order("alice", "k3", foreign);
  EXPECT_EQ(stolen_card.status, 422);
  EXPECT_EQ(stock_of("p1"), 100);
}

TEST_P(OrderRoutesTest, AnotherCustomersOrderAndPaymentAreNotFound) {
  const auto id = id_of(post_order("alice", "k1"));
  EXPECT_EQ(call("alice", "GET", "/api/v1/orders/" + id).status, 200);
  EXPECT_EQ(call("alice", "GET", "/api/v1/orders/" + id + "/payment").status, 200);
  EXPECT_EQ(call("bob", "GET", "/api/v1/orders/" + id).status, 404);
  EXPECT_EQ(call("bob", "GET", "/api/v1/orders/" + id + "/payment").status, 404);
  EXPECT_EQ(call("bob", "POST", "/api/v1/orders/" + id + "/cancel").status, 404);
  EXPECT_EQ(call("bob", "GET", "/api/v1/orders/no-such-order").status, 404);
  EXPECT_EQ(call("admin", "GET", "/api/v1/orders/" + id).status, 200);
  EXPECT_EQ(call("alice", "POST", "/api/v1/orders/" + id + "/ship").status, 403);
  EXPECT_EQ(call("admin", "POST", "/api/v1/orders/" + id + "/ship").status, 409) << "not paid yet";
  EXPECT_EQ(stock_of("p1"), 99) << "bob's cancel did nothing";
}

TEST_P(OrderRoutesTest, PaymentShowsStatusAmountAndAttemptsThenShipAndCancelFollowTheRules) {
  const auto id = id_of(post_order("alice", "k1"));
  while (run_sync(runner_->run_due_once()) > 0) {
  }
  const auto payment = boost::json::parse(call("alice", "GET", "/api/v1/orders/" + id + "/payment").body).as_object();
  EXPECT_EQ(payment.at("status").as_string(), "captured");
  EXPECT_EQ(payment.at("amount").at("amount").as_int64(), 1000);
  EXPECT_EQ(payment.at("attempts").as_int64(), 2);
  EXPECT_EQ(call("admin", "POST", "/api/v1/orders/" + id + "/ship").status, 200);
  EXPECT_EQ(call("alice", "POST", "/api/v1/orders/" + id + "/cancel").status, 409);
  const auto shown = boost::json::parse(call("alice", "GET", "/api/v1/orders/" + id).body).as_object();
  EXPECT_EQ(shown.at("status").as_string(), "shipped");
  EXPECT_EQ(shown.at("history").as_array().size(), 3U);
}

TEST_P(OrderRoutesTest, TheStatusStreamSendsTheCurrentStatusThenEachChangeAndIsBounded) {
  const auto id = id_of(post_order("alice", "k1"));
  const auto target = "/api/v1/orders/" + id + "/events";
  EXPECT_EQ(call("bob", "GET", target).status, 404);
  EXPECT_EQ(call("", "GET", target).status, 401);
  EXPECT_EQ(call("alice", "GET", target, {}, {{"Last-Event-ID", "x1"}}).status, 400);

  auto open = call("alice", "GET", target);
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.headers.get("Content-Type").value_or(""), "text/event-stream; charset=utf-8");
  ASSERT_TRUE(open.stream);
  const auto first = run_sync(open.stream->next());
  ASSERT_TRUE(first);
  EXPECT_NE(first->find("id: 1\nevent: status\ndata: {\"status\":\"pending_payment\""), std::string::npos) << *first;

  // The one place is taken: the next caller (even an admin) is told to poll.
  const auto refused = call("admin", "GET", target);
  EXPECT_EQ(refused.status, 503);
  EXPECT_TRUE(refused.headers.get("Retry-After"));

  while (run_sync(runner_->run_due_once()) > 0) {
  }
  std::string seen;
  for (int round = 0; round < 50 && seen.find("\"status\":\"paid\"") == std::string::npos; ++round) {
    const auto piece = run_sync(open.stream->next());
    ASSERT_TRUE(piece) << "paid does not end the stream";
    seen += *piece;
  }
  EXPECT_NE(seen.find("id: 2\nevent: status\ndata: {\"status\":\"paid\""), std::string::npos) << seen;
  open.stream.reset();
  EXPECT_EQ(call("admin", "GET", target).status, 200) << "a closed stream frees its place";
}

TEST(OrderStatusStreamTest, LastEventIdIsAPositionAndEventsAreOneLineOfJson) {
  EXPECT_EQ(parse_last_event_id(std::nullopt), std::nullopt);
  EXPECT_EQ(parse_last_event_id("3"), 3U);
  EXPECT_THROW((void)parse_last_event_id(""), core::ProblemError);
  EXPECT_THROW((void)parse_last_event_id("-1"), core::ProblemError);
  EXPECT_THROW((void)parse_last_event_id("99999999999"), core::ProblemError);
  const auto event = status_event(4, HistoryEntry{"cancelled", "2026-01-01T00:00:00Z", "line\nbreak"});
  EXPECT_EQ(event, "id: 4\nevent: status\ndata: "
                   "{\"status\":\"cancelled\",\"at\":\"2026-01-01T00:00:00Z\",\"reason\":\"line\\nbreak\"}\n\n");
  EXPECT_TRUE(is_terminal_status("cancelled"));
  EXPECT_FALSE(is_terminal_status("paid"));
}

TEST_P(OrderRoutesTest, CancellingTwiceAnswers200BothTimes) {
  const auto id = id_of(post_order("alice", "k1"));
  const auto first = call("alice", "POST", "/api/v1/orders/" + id + "/cancel");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(boost::json::parse(first.body).at("cancel_reason").as_string(), "cancelled_by_user");
  EXPECT_EQ(call("alice", "POST", "/api/v1/orders/" + id + "/cancel").status, 200);
  EXPECT_EQ(stock_of("p1"), 100);
}

TEST_P(OrderRoutesTest, ListsAreNewestFirstPagedAndScopedToTheCaller) {
  std::vector<std::string> alice;
  for (int i = 0; i < 5; ++i) {
    alice.push_back(id_of(post_order("alice", "a" + std::to_string(i))));
    clock_.advance(std::chrono::milliseconds(5));
  }
  const auto bob = id_of(post_order("bob", "b0", R"({"items":[{"product_id":"p1","quantity":1}],"payment_method_id":"pm-bob",)"
                                                 R"("shipping_address":{"name":"B","line1":"2 Rd","city":"Lyon","postal_code":"69001","country":"FR"}})"));
  std::vector<std::string> seen;
  std::string target = "/api/v1/orders?limit=2";
  for (int page = 0; page < 5; ++page) {
    const auto response = call("alice", "GET", target);
    ASSERT_EQ(response.status, 200) << response.body;
    const auto body = boost::json::parse(response.body).as_object();
    for (const auto& item : body.at("items").as_array()) seen.emplace_back(item.at("id").as_string());
    if (body.at("next_cursor").is_null()) break;
    target = "/api/v1/orders?limit=2&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, std::vector<std::string>(alice.rbegin(), alice.rend()));

  const auto everyone = boost::json::parse(call("admin", "GET", "/api/v1/orders?limit=100").body);
  EXPECT_EQ(everyone.at("items").as_array().size(), 6U);
  EXPECT_EQ(everyone.at("items").as_array()[0].at("id").as_string(), bob);
  const auto bobs = boost::json::parse(call("admin", "GET", "/api/v1/orders?user_id=bob").body);
  EXPECT_EQ(bobs.at("items").as_array().size(), 1U);
  const auto ignored = boost::json::parse(call("alice", "GET", "/api/v1/orders?user_id=bob").body);
  EXPECT_EQ(ignored.at("items").as_array().size(), 5U) << "a customer cannot list someone else's orders";

  EXPECT_EQ(call("alice", "GET", "/api/v1/orders?limit=0").status, 422);
  EXPECT_EQ(call("alice", "GET", "/api/v1/orders?limit=101").status, 422);
  EXPECT_EQ(call("alice", "GET", "/api/v1/orders?cursor=%%%").status, 422);
  EXPECT_EQ(call("alice", "GET", "/api/v1/orders?cursor=bm90LWEtY3Vyc29y").status, 422);
}

INSTANTIATE_TEST_SUITE_P(Stores, OrderRoutesTest, ::testing::ValuesIn(testing::store_factories()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::orders
