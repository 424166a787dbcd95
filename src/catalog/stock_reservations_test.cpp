// StoreStockReservations against SQLite and PostgreSQL alike, and through
// the catalog's internal API (HttpStockReservations -> a real HttpServer with
// the internal routes -> StoreStockReservations on SQLite), one contract for
// all three: reserve, confirm and release by order id, each idempotent; the
// expiry of what was never confirmed; racing buyers, also on two catalog
// instances sharing one PostgreSQL schema.
#include <set>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "catalog/api/http_stock_reservations.hpp"
#include "catalog/catalog_test_support.hpp"
#include "catalog/internal_stock_routes.hpp"
#include "catalog/store_stock_reservations.hpp"
#include "core/service_unavailable.hpp"
#include "net/http_server.hpp"
#include "net/pipeline.hpp"

namespace orderly::catalog {
namespace {

using core::run_sync;
using testing::CatalogParts;
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr store::Statement kReservationRows{"test.reservation_rows",
                                            "SELECT COUNT(*) AS n FROM stock_reservations WHERE status = $1"};

// The catalog's internal API on a real listener, and the client orders uses.
struct OverHttp {
  explicit OverHttp(StockReservations& served) {
    add_internal_stock_routes(router, served);
    server.add_listener("internal_listen", core::HostPort{"127.0.0.1", 0}, pipeline, false);
    server.start();
    instances.replace({server.bound_address("internal_listen")});
  }
  ~OverHttp() { stop(); }
  void stop() {
    if (!stopped) server.drain(std::chrono::seconds(1));
    stopped = true;
  }

  bool stopped = false;
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  net::Router router;
  net::Pipeline pipeline{router};
  net::HttpServer server{1, core::HttpConfig{}, metrics, clock};
  net::HttpClient http{net::HttpClientSettings{}, clock};
  rpc::StaticInstances instances{{}};
  rpc::ServiceChannel channel{rpc::ServiceChannelOptions{.service = "catalog"}, http, instances, nullptr, clock,
                              random, metrics};
  HttpStockReservations client{channel};
};

struct Variant {
  std::string name;
  testing::StoreKind kind;
  bool over_http = false;
};

inline void PrintTo(const Variant& variant, std::ostream* out) { *out << variant.name; }

std::vector<Variant> variants() {
  const auto kinds = testing::store_kinds();
  return {{"sqlite", kinds.at(0), false}, {"postgres", kinds.at(1), false}, {"sqlite_over_http", kinds.at(0), true}};
}

class StockReservationsContract : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    parts_ = std::make_unique<CatalogParts>(GetParam().kind);
    reservations_ = std::make_unique<StoreStockReservations>(*parts_->store, *parts_->inventory, parts_->clock);
    if (GetParam().over_http) http_ = std::make_unique<OverHttp>(*reservations_);
    client_ = http_ ? static_cast<StockReservations*>(&http_->client) : reservations_.get();
  }
  void TearDown() override {
    http_.reset();
    reservations_.reset();
    parts_.reset();
  }

  std::vector<ReservedLine> reserve(const std::string& order_id, std::vector<StockRequest> items,
                                    std::chrono::milliseconds ttl = 60s) {
    return run_sync(client_->reserve(order_id, std::move(items), ttl, core::CallContext{}));
  }
  void confirm(const std::string& order_id) { run_sync(client_->confirm(order_id, core::CallContext{})); }
  void release(const std::string& order_id) { run_sync(client_->release(order_id, core::CallContext{})); }
  std::int64_t stock(const Product& product) { return parts_->find(product.id)->stock; }
  std::int64_t rows_in(const std::string& status) {
    return run_sync(parts_->store->query(kReservationRows, store::params(status))).first().int64("n");
  }

  std::unique_ptr<CatalogParts> parts_;
  std::unique_ptr<StoreStockReservations> reservations_;  // the expiry sweep always runs in the catalog
  std::unique_ptr<OverHttp> http_;
  StockReservations* client_ = nullptr;  // what orders calls: the store itself, or the HTTP client
};

TEST_P(StockReservationsContract, ReserveTakesStockOnceAndARepeatReturnsTheFirstLines) {
  const auto mug = parts_->create("MUG", 10, "Mug", "", 1200);
  const auto cup = parts_->create("CUP", 10, "Cup", "", 300);
  const auto lines = reserve("order-1", {{cup.id, 2}, {mug.id, 3}});
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].product_id, cup.id);
  EXPECT_EQ(lines[0].unit_price, (core::Money{300, "USD"}));
  EXPECT_EQ(lines[1].sku, "MUG");
  EXPECT_EQ(lines[1].quantity, 3);
  EXPECT_EQ(stock(cup), 8);
  EXPECT_EQ(stock(mug), 7);

  // The caller lost the answer and asks again, even with other quantities:
  // the first reservation's lines, and nothing taken twice.
  const auto again = reserve("order-1", {{cup.id, 5}});
  ASSERT_EQ(again.size(), 2U);
  EXPECT_EQ(again[0].quantity, 2);
  EXPECT_EQ(again[1].quantity, 3);
  EXPECT_EQ(stock(cup), 8);
  EXPECT_EQ(stock(mug), 7);
}

TEST_P(StockReservationsContract, OutOfStockReservesNothingAndARetryWithStockSucceeds) {
  const auto hot = parts_->create("HOT", 1);
  const auto other = parts_->create("OTHER", 5);
  EXPECT_THROW(reserve("order-1", {{other.id, 1}, {hot.id, 2}}), OutOfStock);
  EXPECT_EQ(stock(other), 5) << "the first line was given back with the refusal";
  EXPECT_EQ(rows_in("reserved"), 0) << "no reservation row outlives a refusal";
  EXPECT_THROW(reserve("order-2", {{"p_does_not_exist_00000000", 1}}), UnknownProduct);
  EXPECT_THROW(reserve("order-3", {{"not a product id", 1}}), UnknownProduct);
  const auto lines = reserve("order-1", {{hot.id, 1}});
  EXPECT_EQ(lines.size(), 1U);
  EXPECT_EQ(stock(hot), 0);
}

TEST_P(StockReservationsContract, BadRequestsAreRefusedBeforeTouchingStock) {
  const auto mug = parts_->create("MUG", 3);
  EXPECT_THROW(reserve("", {{mug.id, 1}}), std::invalid_argument);
  EXPECT_THROW(reserve(std::string(65, 'x'), {{mug.id, 1}}), std::invalid_argument);
  EXPECT_THROW(reserve("order-1", {}), std::invalid_argument);
  EXPECT_THROW(reserve("order-1", {{mug.id, 0}}), std::invalid_argument);
  EXPECT_THROW(reserve("order-1", {{mug.id, 1}}, 0ms), std::invalid_argument);
  EXPECT_EQ(stock(mug), 3);
}

TEST_P(StockReservationsContract, ReleaseGivesTheStockBackOnceHoweverOftenItIsCalled) {
  const auto mug = parts_->create("MUG", 4);
  reserve("order-1", {{mug.id, 3}});
  release("order-1");
  EXPECT_EQ(stock(mug), 4);
  release("order-1");
  EXPECT_EQ(stock(mug), 4) << "a second release gives nothing back";
  EXPECT_THROW(reserve("order-1", {{mug.id, 1}}), ReservationGone) << "a released reservation stays released";
  EXPECT_THROW(confirm("order-1"), ReservationGone);
  EXPECT_EQ(stock(mug), 4);
}

TEST_P(StockReservationsContract, AReserveThatArrivesAfterItsReleaseIsRefused) {
  const auto mug = parts_->create("MUG", 4);
  release("order-late");  // the caller gave up before its reserve landed
  EXPECT_THROW(reserve("order-late", {{mug.id, 1}}), ReservationGone);
  EXPECT_EQ(stock(mug), 4);
}

TEST_P(StockReservationsContract, AnUnconfirmedReservationExpiresAndGivesItsStockBack) {
  const auto mug = parts_->create("MUG", 5);
  reserve("order-1", {{mug.id, 2}}, 10s);
  reserve("order-2", {{mug.id, 1}}, 10s);
  confirm("order-2");
  parts_->clock.advance(9s);
  EXPECT_EQ(run_sync(reservations_->expire(100)), 0U) << "not yet due";
  EXPECT_EQ(stock(mug), 2);
  parts_->clock.advance(2s);
  EXPECT_EQ(run_sync(reservations_->expire(100)), 1U) << "only the unconfirmed one";
  EXPECT_EQ(stock(mug), 4);
  EXPECT_EQ(run_sync(reservations_->expire(100)), 0U);
  EXPECT_THROW(confirm("order-1"), ReservationGone);
  EXPECT_NO_THROW(confirm("order-2")) << "confirming twice is fine";
  release("order-2");  // a refund restocks a confirmed reservation
  EXPECT_EQ(stock(mug), 5);
}

TEST_P(StockReservationsContract, ExpiryWorksInBatchesOldestFirst) {
  const auto mug = parts_->create("MUG", 10);
  for (int order = 0; order < 5; ++order) {
    reserve("order-" + std::to_string(order), {{mug.id, 1}}, std::chrono::seconds(10 + order));
  }
  parts_->clock.advance(60s);
  EXPECT_EQ(run_sync(reservations_->expire(2)), 2U);
  EXPECT_THROW(confirm("order-0"), ReservationGone);
  EXPECT_THROW(confirm("order-1"), ReservationGone);
  EXPECT_NO_THROW(confirm("order-2")) << "the newest ones wait for the next batch";
  EXPECT_EQ(run_sync(reservations_->expire(10)), 2U);
  EXPECT_EQ(stock(mug), 9);
}

// 40 buyers of a product with 7 units, some of them repeating their call
// with the same order id (a client retry), interleaved on one loop with
// connections of their own: exactly 7 orders hold stock, and a repeat never
// takes a second unit.
TEST_P(StockReservationsContract, RacingBuyersAndTheirRetriesSellExactlyTheStock) {
  constexpr int kStock = 7;
  constexpr int kBuyers = 40;
  const auto hot = parts_->create("HOT", kStock);
  asio::io_context context;
  std::set<std::string> holders;
  int refused = 0;
  int failed = 0;
  for (int attempt = 0; attempt < kBuyers + kBuyers / 2; ++attempt) {
    const auto order_id = "order-" + std::to_string(attempt % kBuyers);
    auto buy = [this, &holders, &refused, &failed, order_id, id = hot.id]() -> asio::awaitable<void> {
      try {
        std::vector<StockRequest> items{{id, 1}};
        core::CallContext call;
        const auto lines = co_await client_->reserve(order_id, std::move(items), 60s, std::move(call));
        if (lines.size() == 1) holders.insert(order_id);
      } catch (const OutOfStock&) {
        ++refused;
      } catch (const std::exception&) {
        ++failed;
      }
    };
    asio::co_spawn(context, std::move(buy), asio::detached);
  }
  context.run();
  EXPECT_EQ(holders.size(), static_cast<std::size_t>(kStock));
  EXPECT_EQ(failed, 0);
  EXPECT_GE(refused, kBuyers - kStock);
  EXPECT_EQ(stock(hot), 0);
  EXPECT_EQ(rows_in("reserved"), kStock);
}

INSTANTIATE_TEST_SUITE_P(Stores, StockReservationsContract, ::testing::ValuesIn(variants()),
                         [](const auto& test) { return test.param.name; });

// Two catalog instances (each its own pool, cache and inventory) on one
// PostgreSQL schema, as in the cluster: the database, not a process, keeps
// the stock from going below zero.
TEST(InternalStockRoutes, MalformedRequestsAre422AndAStoppedCatalogIsUnavailable) {
  CatalogParts parts(testing::store_kinds().at(0));
  StoreStockReservations served(*parts.store, *parts.inventory, parts.clock);
  auto http = std::make_unique<OverHttp>(served);
  const auto mug = parts.create("MUG", 3);
  EXPECT_THROW(run_sync(http->client.reserve("order-1", {{mug.id, 0}}, 60s, core::CallContext{})),
               std::invalid_argument)
      << "the routes' 422 is the caller's mistake, as in-process";
  EXPECT_THROW(run_sync(http->client.confirm("../x", core::CallContext{})), std::invalid_argument);
  EXPECT_EQ(parts.find(mug.id)->stock, 3);
  const auto counted = [&](const std::string& outcome) {
    const auto text = http->metrics.render();
    return text.find("orderly_rpc_calls_total{service=\"catalog\",operation=\"reserve\",outcome=\"" + outcome +
                     "\"}") != std::string::npos;
  };
  EXPECT_TRUE(counted("answered"));
  // The catalog gone: nothing listens at its address any more (a drained
  // listener of a live process may still complete a connect, and then times out).
  http->stop();
  http->instances.replace({core::HostPort{"127.0.0.1", 1}});
  EXPECT_THROW(run_sync(http->client.release("order-1", core::CallContext{})), core::ServiceUnavailable);
  const auto text = http->metrics.render();
  EXPECT_NE(text.find("operation=\"release\",outcome=\"connect_failed\"}"), std::string::npos) << text;
}

TEST(StockReservationsTwoInstances, SellExactlyTheStockBetweenThem) {
  const auto kinds = testing::store_kinds();
  CatalogParts first(kinds.at(1));
  auto* schema_store = dynamic_cast<store::postgres::testing::SchemaStore*>(first.store.get());
  ASSERT_NE(schema_store, nullptr);
  store::postgres::PgOptions options;
  options.primary = schema_store->schema().primary_uri();
  options.connections.pool_size = 8;
  store::postgres::PgStore second_store(std::move(options), first.metrics);
  cache::LocalCache second_cache(cache::LocalCacheOptions{}, first.clock, first.metrics, "catalog-2");
  ProductCache second_products(second_cache, *first.products, std::chrono::minutes(1));
  StoreInventory second_inventory(second_products, first.clock);
  StoreStockReservations one(*first.store, *first.inventory, first.clock);
  StoreStockReservations two(second_store, second_inventory, first.clock);

  constexpr int kStock = 9;
  constexpr int kBuyers = 60;
  const auto hot = first.create("HOT", kStock);
  asio::io_context context;
  int sold = 0;
  int refused = 0;
  int failed = 0;
  for (int buyer = 0; buyer < kBuyers; ++buyer) {
    auto& instance = buyer % 2 == 0 ? one : two;
    auto buy = [&instance, &sold, &refused, &failed, buyer, id = hot.id]() -> asio::awaitable<void> {
      try {
        std::vector<StockRequest> items{{id, 1}};
        auto order_id = "order-" + std::to_string(buyer);
        core::CallContext call;
        (void)co_await instance.reserve(std::move(order_id), std::move(items), 60s, std::move(call));
        ++sold;
      } catch (const OutOfStock&) {
        ++refused;
      } catch (const std::exception&) {
        ++failed;
      }
    };
    asio::co_spawn(context, std::move(buy), asio::detached);
  }
  context.run();
  EXPECT_EQ(sold, kStock);
  EXPECT_EQ(refused, kBuyers - kStock);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(first.find(hot.id)->stock, 0);
}

}  // namespace
}  // namespace orderly::catalog
