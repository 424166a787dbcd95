// Each service owns its data on PostgreSQL: two services, each with its own
// role and schema (store::postgres::service_schema_sql), migrated with only
// their own migrations (app::migrations_for), on the test server. Each reads
// its own tables; the database refuses it the other's.
#include <unistd.h>

#include <gtest/gtest.h>

#include "app/schema.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/service_schema.hpp"

namespace orderly::app {
namespace {

using core::run_sync;
namespace pg = store::postgres;

// The test server's URI with another user (trust authentication on loopback).
std::string as_user(const std::string& uri, const std::string& user) {
  const auto scheme_end = uri.find("://") + 3;
  const auto at = uri.find('@', scheme_end);
  return uri.substr(0, scheme_end) + user + uri.substr(at);
}

class ServiceSchemas : public ::testing::Test {
 protected:
  void SetUp() override {
    primary_ = orderly::testing::test_server_setting("ORDERLY_TEST_PG_PRIMARY");
    prefix_ = "svc" + std::to_string(::getpid()) + "_";
    for (const auto* service : {"catalog", "orders"}) {
      pg::testing::run_sql(primary_, pg::service_schema_sql(prefix_ + service, prefix_ + service + "_role", "pw1"));
    }
  }
  void TearDown() override {
    catalog_.reset();
    orders_.reset();
    for (const auto* service : {"catalog", "orders"}) {
      pg::testing::run_sql(primary_, "DROP SCHEMA IF EXISTS " + prefix_ + service + " CASCADE; DROP ROLE IF EXISTS " +
                                         prefix_ + service + "_role;");
    }
  }
  std::unique_ptr<store::Store> store_of(const std::string& service) {
    pg::PgOptions options;
    options.primary = as_user(primary_, prefix_ + service + "_role");
    std::unique_ptr<store::Store> store = std::make_unique<pg::PgStore>(std::move(options), metrics_);
    (void)run_sync(store::migrate(*store, migrations_for({service})));
    return store;
  }
  std::string primary_;
  std::string prefix_;
  core::metrics::Registry metrics_;
  std::unique_ptr<store::Store> catalog_;
  std::unique_ptr<store::Store> orders_;
};

TEST_F(ServiceSchemas, EachServiceReadsItsOwnTablesAndIsRefusedTheOthers) {
  catalog_ = store_of("catalog");
  orders_ = store_of("orders");
  // Unqualified names resolve in the role's own schema (its search_path).
  static constexpr store::Statement kProducts{"test.own_products", "SELECT COUNT(*) AS n FROM products"};
  static constexpr store::Statement kOrders{"test.own_orders", "SELECT COUNT(*) AS n FROM orders"};
  EXPECT_EQ(run_sync(catalog_->query(kProducts)).first().int64("n"), 0);
  EXPECT_EQ(run_sync(orders_->query(kOrders)).first().int64("n"), 0);
  EXPECT_THROW(run_sync(catalog_->query(kOrders)), store::StoreError) << "orders' tables are not in catalog's schema";

  // Named outright, the other service's tables are refused by the database.
  const auto orders_table = "SELECT COUNT(*) AS n FROM " + prefix_ + "orders.orders";
  const auto products_table = "SELECT COUNT(*) AS n FROM " + prefix_ + "catalog.products";
  const store::Statement foreign_orders{"test.foreign_orders", orders_table};
  const store::Statement foreign_products{"test.foreign_products", products_table};
  try {
    (void)run_sync(catalog_->query(foreign_orders));
    FAIL() << "the catalog's role read orders' table";
  } catch (const store::StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("permission denied"), std::string::npos) << error.what();
  }
  try {
    (void)run_sync(orders_->query(foreign_products));
    FAIL() << "the orders role read the catalog's table";
  } catch (const store::StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("permission denied"), std::string::npos) << error.what();
  }
  static constexpr store::Statement kWrite{"test.foreign_write",
                                           "UPDATE products SET stock = 0"};  // in the orders schema: no such table
  EXPECT_THROW(run_sync(orders_->execute(kWrite)), store::StoreError);
}

TEST(ServiceSchemaSql, RefusesNamesThatWouldNeedQuoting) {
  EXPECT_THROW((void)pg::service_schema_sql("orders; DROP", "r", "pw"), std::invalid_argument);
  EXPECT_THROW((void)pg::service_schema_sql("orders", "Role", "pw"), std::invalid_argument);
  EXPECT_THROW((void)pg::service_schema_sql("orders", "r", "p'w"), std::invalid_argument);
  EXPECT_NE(pg::service_schema_sql("orders", "orderly_orders", "pw").find("REVOKE ALL ON SCHEMA orders FROM PUBLIC"),
            std::string::npos);
}

TEST(MigrationsFor, AServiceGetsThePlatformsAndItsOwnMigrationsOnly) {
  for (const auto& migration : migrations_for({"catalog"})) {
    EXPECT_TRUE(migration.version < 100 || (migration.version >= 200 && migration.version < 300)) << migration.name;
  }
  EXPECT_EQ(migrations_for({"auth", "notify", "catalog", "payments", "orders"}).size(), all_migrations().size());
  EXPECT_THROW((void)migrations_for({"billing"}), std::invalid_argument);
}

}  // namespace
}  // namespace orderly::app
