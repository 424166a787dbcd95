// The order service and the checkout saga on SQLite and PostgreSQL, with a
// fake provider that declines, fails transiently, answers too late, or
// "crashes" the process mid-step: every order ends paid or cancelled, its
// stock adds up, each event is written once, and no card is charged twice.
#include "orders/checkout_saga.hpp"

#include <latch>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "core/time_format.hpp"
#include "orders/order_repository.hpp"
#include "orders/order_service.hpp"
#include "orders/saga_runner.hpp"
#include "core/service_unavailable.hpp"
#include "orders/test_support.hpp"
#include "payments/payments_service.hpp"

namespace orderly::orders {
namespace {

using core::run_sync;
using testing::FakeProvider;

constexpr auto kApproved = "4242424242424242";
constexpr auto kDeclined = "4000000000000002";
constexpr auto kInsufficientFunds = "4000000000009995";
constexpr auto kTransient = "4000000000000119";
constexpr auto kSlow = "4000000000003220";

constexpr store::Statement kCountOrders{"test.count_orders", "SELECT COUNT(*) AS n FROM orders"};
constexpr store::Statement kCountUnfinished{
    "test.count_unfinished", "SELECT COUNT(*) AS n FROM checkout_sagas WHERE step NOT IN ('done', 'parked')"};

class CheckoutTest : public testing::OrdersStoreTest {
 protected:
  void SetUp() override {
    OrdersStoreTest::SetUp();
    add_product("p1", 1500, 5);
    add_product("p2", 250, 10);
    for (const auto* number : {kApproved, kDeclined, kInsufficientFunds, kTransient, kSlow}) {
      vault_.add("alice", std::string("pm-") + number, number);
    }
    keys_ = std::make_unique<IdempotencyStore>(*store_, clock_, random_, IdempotencyOptions{});
    service_ = std::make_unique<OrderService>(
        OrderServiceParts{*store_, stock_, payments_, outbox_, users_, *keys_, clock_, random_, nullptr});
    saga_ = std::make_unique<CheckoutSaga>(*store_, stock_, payments_, outbox_, users_, clock_, random_,
                                           options_);
    runner_ = std::make_unique<SagaRunner>(*saga_, *store_, clock_, "runner-a", SagaRunnerOptions{});
  }
  void TearDown() override {
    runner_.reset();
    OrdersStoreTest::TearDown();
  }

  OrderService::Placed place_raw(const std::string& card, const std::string& key,
                                 std::vector<catalog::StockRequest> items = {{"p1", 2}}) {
    CreateOrderRequest request{std::move(items), std::string("pm-") + card,
                               R"({"name":"Alice","line1":"1 Main St","city":"Paris","postal_code":"75001","country":"FR"})"};
    return run_sync(service_->place("alice", key, "fingerprint-" + key, std::move(request), ""));
  }
  std::string place(const std::string& card, std::vector<catalog::StockRequest> items = {{"p1", 2}}) {
    const auto placed = place_raw(card, "key-" + std::to_string(++orders_placed_), std::move(items));
    EXPECT_EQ(placed.response.status, 201) << placed.response.body;
    return std::string(boost::json::parse(placed.response.body).at("id").as_string());
  }
  // Runs due sagas until none is left unfinished, moving the clock past
  // back-offs (bounded: a saga that never finishes fails the test).
  void settle() {
    for (int round = 0; round < 50 && count_rows(kCountUnfinished) > 0; ++round) {
      if (run_sync(runner_->run_due_once()) == 0) clock_.advance(options_.backoff_max + std::chrono::milliseconds(1));
    }
    EXPECT_EQ(count_rows(kCountUnfinished), 0) << "sagas left unfinished";
  }
  Order order(const std::string& id) { return *run_sync(service_->find(id)); }
  Payment payment(const std::string& id) { return *run_sync(repository::find_payment(*store_, id)); }
  std::size_t events_of(const std::string& type) {
    const auto all = event_types();
    return static_cast<std::size_t>(std::count(all.begin(), all.end(), type));
  }
  std::string saga_step(const std::string& id) { return run_sync(saga_store::find(*store_, id))->step; }

  CheckoutSagaOptions options_{4, std::chrono::milliseconds(100), std::chrono::milliseconds(1000),
                               std::chrono::seconds(60)};
  testing::TableOutbox outbox_;
  testing::FakeVault vault_;
  testing::FakeUsers users_;
  FakeProvider provider_;
  payments::PaymentsService payments_{vault_, provider_};
  std::unique_ptr<IdempotencyStore> keys_;
  std::unique_ptr<OrderService> service_;
  std::unique_ptr<CheckoutSaga> saga_;
  std::unique_ptr<SagaRunner> runner_;
  int orders_placed_ = 0;
};

TEST_P(CheckoutTest, PlacingReservesStockAndRecordsTheOrderItsSagaAndOrderCreated) {
  const auto placed = place_raw(kApproved, "k1", {{"p1", 3}, {"p2", 1}});
  ASSERT_EQ(placed.response.status, 201) << placed.response.body;
  EXPECT_FALSE(placed.replayed);
  const auto body = boost::json::parse(placed.response.body).as_object();
  EXPECT_EQ(body.at("status").as_string(), "pending_payment");
  EXPECT_EQ(body.at("total").at("amount").as_int64(), 3 * 1500 + 250);
  EXPECT_EQ(body.at("items").as_array().size(), 2U);
  EXPECT_EQ(body.at("history").as_array().size(), 1U);
  EXPECT_EQ(*placed.response.location, "/api/v1/orders/" + std::string(body.at("id").as_string()));
  EXPECT_EQ(stock_of("p1"), 2);
  EXPECT_EQ(stock_of("p2"), 9);
  EXPECT_EQ(event_types(), std::vector<std::string>{"order.created"});
  EXPECT_EQ(saga_step(std::string(body.at("id").as_string())), "authorize");

  const auto again = place_raw(kApproved, "k1", {{"p1", 3}, {"p2", 1}});
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.response.body, placed.response.body) << "a replay is byte-identical";
  EXPECT_EQ(count_rows(kCountOrders), 1);
  EXPECT_EQ(stock_of("p1"), 2);
}

TEST_P(CheckoutTest, OutOfStockReservesNothingAndTheRefusalIsReplayed) {
  const auto refused = place_raw(kApproved, "k1", {{"p2", 1}, {"p1", 6}});
  EXPECT_EQ(refused.response.status, 409);
  EXPECT_NE(refused.response.body.find("/problems/out-of-stock"), std::string::npos);
  EXPECT_EQ(stock_of("p2"), 10) << "the first line's reservation rolled back";
  EXPECT_EQ(count_rows(kCountOrders), 0);
  EXPECT_TRUE(event_types().empty());
  const auto again = place_raw(kApproved, "k1", {{"p2", 1}, {"p1", 6}});
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.response.status, 409);
}

TEST_P(CheckoutTest, UnknownProductOrSomeoneElsesPaymentMethodIs422WithoutAnOrder) {
  EXPECT_EQ(place_raw(kApproved, "k1", {{"nope", 1}}).response.status, 422);
  vault_.add("bob", "pm-bob", kApproved);
  CreateOrderRequest request{{{"p1", 1}}, "pm-bob", "{}"};
  const auto foreign = run_sync(service_->place("alice", "k2", "f2", std::move(request), ""));
  EXPECT_EQ(foreign.response.status, 422);
  EXPECT_NE(foreign.response.body.find("payment_method_id"), std::string::npos);
  EXPECT_EQ(count_rows(kCountOrders), 0);
  EXPECT_EQ(stock_of("p1"), 5);
}

TEST_P(CheckoutTest, ApprovedCardIsAuthorizedCapturedAndPaidOnce) {
  const auto id = place(kApproved);
  settle();
  const auto paid = order(id);
  EXPECT_EQ(paid.status, "paid");
  ASSERT_EQ(paid.history.size(), 2U);
  EXPECT_EQ(paid.history[1].status, "paid");
  EXPECT_EQ(payment(id).status, "captured");
  EXPECT_EQ(payment(id).attempts, 2);
  ASSERT_EQ(provider_.operations("capture").size(), 1U);
  EXPECT_EQ(provider_.operations("capture")[0].amount, 3000);
  EXPECT_EQ(provider_.operations("authorize").size(), 1U);
  EXPECT_EQ(events_of("order.paid"), 1U);
  EXPECT_EQ(stock_of("p1"), 3) << "sold stock stays taken";
}

TEST_P(CheckoutTest, DeclinedCardsCancelReleaseStockAndEmitOrderCancelled) {
  for (const auto* card : {kDeclined, kInsufficientFunds}) {
    const auto id = place(card);
    EXPECT_EQ(stock_of("p1"), 3);
    settle();
    const auto cancelled = order(id);
    EXPECT_EQ(cancelled.status, "cancelled");
    EXPECT_EQ(cancelled.cancel_reason, "payment_declined");
    EXPECT_EQ(payment(id).status, "failed");
    EXPECT_EQ(payment(id).decline_code, card == kDeclined ? "card_declined" : "insufficient_funds");
    EXPECT_EQ(stock_of("p1"), 5);
  }
  EXPECT_EQ(events_of("order.cancelled"), 2U);
  EXPECT_EQ(events_of("order.paid"), 0U);
  EXPECT_TRUE(provider_.operations("capture").empty());
}

TEST_P(CheckoutTest, TransientErrorsAreRetriedWithTheSameKeyAfterABackOff) {
  const auto id = place(kTransient);
  EXPECT_EQ(run_sync(runner_->run_due_once()), 1U);
  EXPECT_EQ(saga_step(id), "authorize");
  EXPECT_EQ(run_sync(runner_->run_due_once()), 0U) << "not due before its back-off";
  settle();
  EXPECT_EQ(order(id).status, "paid");
  // The fake fails each key twice: authorize and capture are tried three times each.
  EXPECT_EQ(provider_.calls("authorize"), 3);
  EXPECT_EQ(provider_.calls("capture"), 3);
  EXPECT_EQ(payment(id).attempts, 6);
  EXPECT_EQ(provider_.operations("authorize").size(), 1U);
  EXPECT_EQ(provider_.operations("capture").size(), 1U);
}

TEST_P(CheckoutTest, AnAnswerLostToATimeoutIsFetchedAgainNotChargedTwice) {
  const auto id = place(kSlow);
  settle();
  EXPECT_EQ(order(id).status, "paid");
  EXPECT_EQ(provider_.calls("authorize"), 2);
  EXPECT_EQ(provider_.operations("authorize").size(), 1U);
  EXPECT_EQ(provider_.operations("capture").size(), 1U);
}

TEST_P(CheckoutTest, ProviderDownFailsThePaymentThenVoidsWhatItMayHaveAuthorized) {
  provider_.always_unavailable = true;
  const auto id = place(kApproved);
  for (int i = 0; i < 10 && order(id).status == "pending_payment"; ++i) {
    if (run_sync(runner_->run_due_once()) == 0) clock_.advance(std::chrono::seconds(2));
  }
  const auto failed = order(id);
  EXPECT_EQ(failed.status, "cancelled");
  EXPECT_EQ(failed.cancel_reason, "payment_failed");
  EXPECT_EQ(stock_of("p1"), 5);
  // saga_max_attempts (4) tries, then one by the void step, which asks the
  // provider with the same key whether it holds an authorization.
  EXPECT_EQ(provider_.calls("authorize"), 5);
  EXPECT_EQ(payment(id).attempts, 4);
  EXPECT_EQ(saga_step(id), "void");

  provider_.always_unavailable = false;
  settle();
  EXPECT_EQ(payment(id).status, "voided");
  EXPECT_EQ(provider_.operations("void").size(), 1U);
  EXPECT_TRUE(provider_.operations("capture").empty());
  EXPECT_EQ(events_of("order.cancelled"), 1U);
}

TEST_P(CheckoutTest, ASagaCrashedAfterAuthorizeResumesAndCapturesOnce) {
  provider_.crash_on = "capture";
  const auto id = place(kApproved);
  EXPECT_EQ(run_sync(runner_->run_due_once()), 1U);  // authorizes, then "dies" calling capture
  EXPECT_EQ(saga_step(id), "capture");
  EXPECT_EQ(order(id).status, "pending_payment");
  EXPECT_EQ(run_sync(runner_->run_due_once()), 0U) << "the dead run's lease still holds it";

  clock_.advance(std::chrono::seconds(61));
  SagaRunner restarted(*saga_, *store_, clock_, "runner-b", SagaRunnerOptions{});
  EXPECT_EQ(run_sync(restarted.run_due_once()), 1U);
  EXPECT_EQ(order(id).status, "paid");
  EXPECT_EQ(provider_.operations("authorize").size(), 1U);
  EXPECT_EQ(provider_.operations("capture").size(), 1U);
  EXPECT_EQ(events_of("order.paid"), 1U);
}

TEST_P(CheckoutTest, ACrashAfterTheProviderActedRepeatsTheKeyAndChargesOnce) {
  provider_.crash_on = "capture";
  provider_.crash_after_acting = true;
  const auto id = place(kApproved);
  (void)run_sync(runner_->run_due_once());
  EXPECT_EQ(provider_.operations("capture").size(), 1U) << "captured, but the answer never got recorded";
  EXPECT_EQ(saga_step(id), "capture");
  run_sync(saga_store::release_all_leases(*store_));  // the embedded restart
  settle();
  EXPECT_EQ(order(id).status, "paid");
  EXPECT_EQ(provider_.calls("capture"), 2);
  EXPECT_EQ(provider_.operations("capture").size(), 1U);
}

TEST_P(CheckoutTest, CancellingAPaidOrderRefundsOnceAndReleasesStock) {
  const auto id = place(kApproved);
  settle();
  ASSERT_EQ(order(id).status, "paid");
  const auto cancelled = run_sync(service_->cancel(id, ""));
  EXPECT_EQ(cancelled.status, "cancelled");
  EXPECT_EQ(cancelled.cancel_reason, "cancelled_by_user");
  EXPECT_EQ(stock_of("p1"), 5);
  settle();
  EXPECT_EQ(payment(id).status, "refunded");
  const auto again = run_sync(service_->cancel(id, ""));
  EXPECT_EQ(again.status, "cancelled") << "cancelling twice is a no-op";
  settle();
  EXPECT_EQ(provider_.operations("refund").size(), 1U);
  EXPECT_EQ(provider_.operations("refund")[0].amount, 3000);
  EXPECT_EQ(stock_of("p1"), 5) << "stock released once";
  EXPECT_EQ(events_of("order.cancelled"), 1U);
}

TEST_P(CheckoutTest, APaidOrdersStockTheCatalogCouldNotTakeAtCancelComesBackWithTheRefund) {
  const auto id = place(kApproved);
  settle();
  ASSERT_EQ(stock_.status(id), "confirmed");
  stock_.unavailable = true;
  EXPECT_EQ(run_sync(service_->cancel(id, "")).status, "cancelled") << "the cancellation does not wait for the catalog";
  EXPECT_EQ(stock_of("p1"), 3);
  (void)run_sync(runner_->run_due_once());
  EXPECT_NE(payment(id).status, "refunded") << "the refund step waits for the stock";
  stock_.unavailable = false;
  settle();
  EXPECT_EQ(payment(id).status, "refunded");
  EXPECT_EQ(stock_.status(id), "released");
  EXPECT_EQ(stock_of("p1"), 5);
}

TEST_P(CheckoutTest, CancellingBeforeTheSagaRanNeverReachesTheProvider) {
  const auto id = place(kApproved);
  (void)run_sync(service_->cancel(id, ""));
  settle();
  EXPECT_EQ(order(id).status, "cancelled");
  EXPECT_EQ(payment(id).status, "voided");
  EXPECT_EQ(provider_.calls("authorize"), 0);
  EXPECT_EQ(stock_of("p1"), 5);
}

TEST_P(CheckoutTest, CancellingBetweenAuthorizeAndCaptureVoids) {
  provider_.crash_on = "capture";  // stop the first run right after authorize
  const auto id = place(kApproved);
  (void)run_sync(runner_->run_due_once());
  (void)run_sync(service_->cancel(id, ""));
  clock_.advance(std::chrono::seconds(61));
  settle();
  EXPECT_EQ(payment(id).status, "voided");
  EXPECT_EQ(provider_.operations("void").size(), 1U);
  EXPECT_TRUE(provider_.operations("capture").empty());
}

TEST_P(CheckoutTest, ShippingNeedsAPaidOrderAndAShippedOrderCannotBeCancelled) {
  const auto id = place(kApproved);
  EXPECT_THROW(run_sync(service_->ship(id, "")), core::ProblemError);
  settle();
  const auto shipped = run_sync(service_->ship(id, ""));
  EXPECT_EQ(shipped.status, "shipped");
  EXPECT_EQ(events_of("order.shipped"), 1U);
  try {
    (void)run_sync(service_->cancel(id, ""));
    FAIL() << "a shipped order was cancelled";
  } catch (const core::ProblemError& error) {
    EXPECT_EQ(error.problem().status, 409);
  }
  EXPECT_EQ(stock_of("p1"), 3);
}

TEST_P(CheckoutTest, StalePendingOrdersExpireAndReleaseTheirStock) {
  const auto paid = place(kApproved);
  settle();
  const auto stale = place(kApproved, {{"p2", 4}});
  clock_.advance(std::chrono::minutes(16));
  EXPECT_EQ(run_sync(service_->expire_reservations(std::chrono::minutes(15), 100)), 1U);
  EXPECT_EQ(order(stale).status, "cancelled");
  EXPECT_EQ(order(stale).cancel_reason, "reservation_expired");
  EXPECT_EQ(stock_of("p2"), 10);
  EXPECT_EQ(stock_.status(stale), "released");
  EXPECT_EQ(order(paid).status, "paid");
  settle();
  EXPECT_EQ(payment(stale).status, "voided");
  EXPECT_EQ(provider_.operations("authorize").size(), 1U) << "the expired order never reached the provider";
  EXPECT_EQ(run_sync(service_->expire_reservations(std::chrono::minutes(15), 100)), 0U);
}

TEST_P(CheckoutTest, CatalogDownAtPlacementLeavesNoOrderAndTheKeyFreeForTheRetry) {
  stock_.unavailable = true;
  EXPECT_THROW(place_raw(kApproved, "k1"), core::ServiceUnavailable);
  EXPECT_EQ(count_rows(kCountOrders), 0);
  EXPECT_TRUE(event_types().empty());
  stock_.unavailable = false;
  const auto retried = place_raw(kApproved, "k1");
  EXPECT_EQ(retried.response.status, 201) << "the key was released, so the retry ran afresh";
  EXPECT_FALSE(retried.replayed);
  EXPECT_EQ(stock_of("p1"), 3);
}

TEST_P(CheckoutTest, PaymentsDownAtPlacementLeavesNoOrderAndReservesNothing) {
  provider_.always_unavailable = true;  // has_method needs only the vault: placement still works
  const auto id = place(kApproved);
  EXPECT_EQ(stock_.status(id), "reserved");
  provider_.always_unavailable = false;
  settle();
  EXPECT_EQ(order(id).status, "paid");
}

TEST_P(CheckoutTest, PaidOnlyOnceTheCatalogConfirmedTheStock) {
  const auto id = place(kApproved);
  stock_.unavailable = true;  // the catalog goes down after the 201
  for (int run = 0; run < 2; ++run) (void)run_sync(runner_->run_due_once());
  EXPECT_EQ(order(id).status, "pending_payment") << "captured, but not paid before the stock is confirmed";
  EXPECT_EQ(saga_step(id), "capture");
  stock_.unavailable = false;
  settle();
  EXPECT_EQ(order(id).status, "paid");
  EXPECT_EQ(stock_.status(id), "confirmed");
  EXPECT_GE(provider_.calls("capture"), 2) << "the capture was repeated with its key";
  EXPECT_EQ(provider_.operations("capture").size(), 1U) << "and charged once";
  EXPECT_EQ(events_of("order.paid"), 1U);
}

TEST_P(CheckoutTest, AReservationThatExpiredBeforeThePaymentIsCancelledAndRefunded) {
  const auto id = place(kApproved);
  EXPECT_EQ(stock_.expire_all(), 1) << "the catalog's ttl ran out before the saga ran";
  EXPECT_EQ(stock_of("p1"), 5);
  settle();
  const auto cancelled = order(id);
  EXPECT_EQ(cancelled.status, "cancelled");
  EXPECT_EQ(cancelled.cancel_reason, "reservation_expired");
  EXPECT_EQ(payment(id).status, "refunded");
  EXPECT_EQ(provider_.operations("refund").size(), 1U);
  EXPECT_EQ(events_of("order.paid"), 0U);
  EXPECT_EQ(stock_of("p1"), 5) << "stock given back once";
}

TEST_P(CheckoutTest, NoCardNumberReachesOrdersTablesOrEvents) {
  // Saved cards named by ids that do not spell their numbers (the fixture's do).
  vault_.add("alice", "pm-visa", kApproved);
  vault_.add("alice", "pm-other", kDeclined);
  std::vector<std::string> ids;
  for (const auto* method : {"pm-visa", "pm-other"}) {
    CreateOrderRequest request{{{"p1", 1}}, method, R"({"name":"Alice","line1":"1 Main St"})"};
    const auto placed = run_sync(service_->place("alice", method, method, std::move(request), ""));
    ASSERT_EQ(placed.response.status, 201) << placed.response.body;
    ids.emplace_back(boost::json::parse(placed.response.body).at("id").as_string());
  }
  const auto& paid = ids[0];
  const auto& declined = ids[1];
  settle();
  ASSERT_EQ(order(paid).status, "paid");
  ASSERT_EQ(order(declined).status, "cancelled");
  static constexpr store::Statement kTables[] = {
      {"test.dump_orders", "SELECT * FROM orders"},
      {"test.dump_items", "SELECT * FROM order_items"},
      {"test.dump_history", "SELECT * FROM order_history"},
      {"test.dump_payments", "SELECT * FROM payments"},
      {"test.dump_sagas", "SELECT * FROM checkout_sagas"},
      {"test.dump_keys", "SELECT * FROM idempotency_keys"},
      {"test.dump_events", "SELECT * FROM test_events"},
  };
  std::size_t cells = 0;
  for (const auto& table : kTables) {
    for (const auto& row : run_sync(store_->query(table)).rows) {
      for (const auto& column : row.columns()) {
        std::optional<std::string> text;
        try {
          text = row.optional_text(column);
        } catch (const store::StoreError&) {
          continue;  // a number or a flag holds no card
        }
        if (!text) continue;
        ++cells;
        EXPECT_EQ(text->find(kApproved), std::string::npos) << table.name << "." << column;
        EXPECT_EQ(text->find(kDeclined), std::string::npos) << table.name << "." << column;
      }
    }
  }
  EXPECT_GT(cells, 20U) << "the dump read the tables";
}

TEST_P(CheckoutTest, TwoRunnersClaimDisjointSagas) {
  for (int i = 0; i < 6; ++i) (void)place(kApproved, {{"p2", 1}});
  // Two claimants on threads of their own (each its own event loop and
  // store connections), released together; each may claim 4 of the 6.
  std::vector<std::string> a;
  std::vector<std::string> b;
  const auto now = core::epoch_ms(clock_.now());
  std::latch start(2);
  std::vector<std::thread> threads;
  for (auto* claimed : {&a, &b}) {
    const std::string owner = claimed == &a ? "a" : "b";
    threads.emplace_back([&, claimed, owner] {
      // Each opens its connection first, so the two claims really overlap.
      *claimed = run_sync([&]() -> boost::asio::awaitable<std::vector<std::string>> {
        (void)co_await store_->query(kCountOrders);
        start.arrive_and_wait();
        co_return co_await saga_store::claim_due(*store_, owner, now, now + 60'000, 4);
      }());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), a.size() + b.size()) << "no saga claimed twice";
  EXPECT_EQ(all.size(), 6U);
  EXPECT_FALSE(a.empty()) << "both claimants did work (4 each at most, 6 due)";
  EXPECT_FALSE(b.empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, CheckoutTest, ::testing::ValuesIn(testing::store_factories()),
                         [](const auto& test) { return test.param.name; });

// Read-your-writes through orders (issue 19, item 2): on PostgreSQL with a
// replica whose WAL replay the test pauses, the order the caller just placed
// is found at once, because orders reads its own rows on the primary; and the
// replica indeed has not seen it, so a read routed there would have missed it.
using OrdersReadYourWrites = CheckoutTest;

TEST_P(OrdersReadYourWrites, TheOrderAfterItsPostIsFoundWhileTheReplicaLags) {
  auto& schema_store = dynamic_cast<store::postgres::testing::SchemaStore&>(*store_);
  const auto& replica = schema_store.replica_uri();
  ASSERT_FALSE(replica.empty());
  const store::postgres::testing::ReplayPause replay(replica);
  replay.resume();  // a killed run may have left it paused
  replay.pause();

  const auto id = place(kApproved);
  const auto found = run_sync(service_->find(id));
  ASSERT_TRUE(found) << "the caller's own order was not found right after its POST";
  EXPECT_EQ(found->status, "pending_payment");

  const auto on_replica = store::postgres::testing::run_sql(
      replica, "SELECT COUNT(*) AS n FROM " + schema_store.schema().name() + ".orders WHERE id = '" + id + "'");
  EXPECT_EQ(on_replica.first().int64("n"), 0) << "the replica was not lagging: the test shows nothing";
}

INSTANTIATE_TEST_SUITE_P(
    LaggingReplica, OrdersReadYourWrites,
    ::testing::Values(testing::StoreFactory{
        "postgres_lagging", [](const std::string&, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
          return std::make_unique<store::postgres::testing::SchemaStore>(
              metrics, store::postgres::testing::SchemaStore::Replicas::lagging_replica);
        }}),
    [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::orders
