// Each service owns its data in embedded mode too: the one SQLite file holds
// every service's tables, and each module's view of it (app::ServiceStores)
// refuses a statement on another service's tables, as the service's
// PostgreSQL role does in scale-out (service_schema_test.cpp). The platform's
// tables (outbox, queue, locks) stay open to every service.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "app/schema.hpp"
#include "app/store_setup.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::app {
namespace {

using core::run_sync;

class EmbeddedOwnership : public ::testing::Test {
 protected:
  EmbeddedOwnership() {
    char folder[] = "/tmp/orderly-ownership-XXXXXX";
    dir_ = ::mkdtemp(folder);
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = dir_ + "/orderly.db"},
                                                          metrics_);
    (void)run_sync(store::migrate(*store_, all_migrations()));
    stores_ = std::make_unique<ServiceStores>(*store_, std::vector<std::string>{"catalog", "orders"});
  }
  ~EmbeddedOwnership() override {
    stores_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The refusal names the statement and the service, as an operator reads it at 3 a.m.
  static void expect_refused(store::Store& store, const store::Statement& statement, const std::string& service) {
    try {
      (void)run_sync(store.query(statement));
      ADD_FAILURE() << service << " ran " << statement.name;
    } catch (const store::StoreError& error) {
      const std::string what = error.what();
      EXPECT_NE(what.find("not authorized"), std::string::npos) << what;
      EXPECT_NE(what.find(std::string(statement.name) + " for " + service), std::string::npos) << what;
    }
  }

  std::string dir_;
  core::metrics::Registry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<ServiceStores> stores_;
};

constexpr store::Statement kProducts{"test.count_products", "SELECT COUNT(*) AS n FROM products"};
constexpr store::Statement kOrders{"test.count_orders", "SELECT COUNT(*) AS n FROM orders"};
constexpr store::Statement kUsers{"test.count_users", "SELECT COUNT(*) AS n FROM users"};
constexpr store::Statement kOutbox{"test.count_outbox", "SELECT COUNT(*) AS n FROM outbox"};

TEST_F(EmbeddedOwnership, EachServiceReadsItsOwnTablesAndIsRefusedTheOthers) {
  auto& catalog = stores_->of("catalog");
  auto& orders = stores_->of("orders");
  EXPECT_EQ(run_sync(catalog.query(kProducts)).first().int64("n"), 0);
  EXPECT_EQ(run_sync(orders.query(kOrders)).first().int64("n"), 0);
  expect_refused(catalog, kOrders, "catalog");
  expect_refused(orders, kProducts, "orders");
  expect_refused(orders, kUsers, "orders");  // auth's, though auth is not even hosted here

  // Platform tables are every service's.
  EXPECT_EQ(run_sync(catalog.query(kOutbox)).first().int64("n"), 0);
  EXPECT_EQ(run_sync(orders.query(kOutbox)).first().int64("n"), 0);
}

TEST_F(EmbeddedOwnership, WritesAndJoinsAreCheckedTableByTableInsideTransactions) {
  auto& orders = stores_->of("orders");
  static constexpr store::Statement kSteal{"test.orders_sets_stock", "UPDATE products SET stock = 0"};
  EXPECT_THROW(run_sync(orders.execute(kSteal)), store::StoreError);
  static constexpr store::Statement kJoin{
      "test.orders_joins_reservations",
      "SELECT COUNT(*) AS n FROM orders o JOIN stock_reservations r ON r.order_id = o.id"};
  EXPECT_THROW(run_sync(orders.transaction([&](store::Transaction& tx) -> boost::asio::awaitable<void> {
                 co_await tx.execute(kJoin);
               })),
               store::StoreError)
      << "one foreign table in a join is enough";
}

TEST_F(EmbeddedOwnership, AStatementPreparedForThePlatformIsNotReusedForAService) {
  // The same statement, first by the unrestricted store (cached on the
  // connections), then by orders: the cache is per owner, so it is refused.
  store::Store& platform = *store_;
  EXPECT_EQ(run_sync(platform.query(kProducts)).first().int64("n"), 0);
  EXPECT_EQ(run_sync(platform.execute(kProducts)).rows.size(), 1U);
  expect_refused(stores_->of("orders"), kProducts, "orders");
}

TEST_F(EmbeddedOwnership, OnPostgresOrForAServiceNotNamedTheSharedStoreIsReturned) {
  EXPECT_EQ(&stores_->of("auth"), store_.get()) << "auth was not named when the views were made";
}

}  // namespace
}  // namespace orderly::app
