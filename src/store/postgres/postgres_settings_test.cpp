// The store.* settings of the PostgreSQL store, as core::load_config reads them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config.hpp"

namespace orderly::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Config with(std::vector<ConfigOverride> flags) {
  return load_config(std::nullopt, {}, flags);
}

std::string refusal(const std::string& key, const std::string& value) {
  try {
    (void)with({{key, value, "flag --set " + key}});
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(PostgresSettings, SqliteStaysTheDefault) {
  const auto config = with({});
  EXPECT_EQ(config.store.driver, StoreDriver::sqlite);
  EXPECT_TRUE(config.store.postgres_primary.empty());
  EXPECT_TRUE(config.store.postgres_replicas.empty());
  EXPECT_EQ(config.store.postgres_pool_size, 4U);
  EXPECT_EQ(config.store.postgres_connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config.store.postgres_statement_timeout, std::chrono::seconds(30));
  EXPECT_EQ(config.store.postgres_acquire_timeout, std::chrono::seconds(5));
  const auto defaults = render_config(config);
  EXPECT_THAT(defaults, HasSubstr("driver: \"sqlite\""));
  EXPECT_THAT(defaults, HasSubstr("postgres_pool_size: \"4\""));
}

TEST(PostgresSettings, ReadsEveryKey) {
  const auto config =
      with({{"store.driver", "postgres", "flag"},
            {"store.postgres_primary", "postgresql://orderly@10.0.0.1:5432/orderly", "flag"},
            {"store.postgres_replicas",
             "postgresql://orderly@10.0.0.2/orderly,postgres://orderly@10.0.0.3:5433,10.0.0.4:5433/o", "flag"},
            {"store.postgres_pool_size", "8", "flag"},
            {"store.postgres_connect_timeout", "2s", "flag"},
            {"store.postgres_statement_timeout", "250ms", "flag"},
            {"store.postgres_acquire_timeout", "1s", "flag"}});
  EXPECT_EQ(config.store.driver, StoreDriver::postgres);
  EXPECT_EQ(config.store.postgres_primary, "postgresql://orderly@10.0.0.1:5432/orderly");
  // A comma inside a URI lists that server's hosts; only a comma before a scheme starts another replica.
  EXPECT_EQ(config.store.postgres_replicas,
            (std::vector<std::string>{"postgresql://orderly@10.0.0.2/orderly",
                                      "postgres://orderly@10.0.0.3:5433,10.0.0.4:5433/o"}));
  EXPECT_EQ(config.store.postgres_pool_size, 8U);
  EXPECT_EQ(config.store.postgres_connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(config.store.postgres_statement_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(config.store.postgres_acquire_timeout, std::chrono::seconds(1));
}

TEST(PostgresSettings, BadValuesNameTheKey) {
  EXPECT_THAT(refusal("store.driver", "mysql"), HasSubstr("store.driver: expected sqlite or postgres"));
  EXPECT_THAT(refusal("store.postgres_pool_size", "0"), HasSubstr("store.postgres_pool_size"));
  EXPECT_THAT(refusal("store.postgres_connect_timeout", "0s"), HasSubstr("store.postgres_connect_timeout"));
  EXPECT_THAT(refusal("store.postgres_statement_timeout", "5"), HasSubstr("store.postgres_statement_timeout"));
  EXPECT_THAT(refusal("store.postgres_replicas", "postgresql://a/db,"), HasSubstr("store.postgres_replicas"));
  EXPECT_THAT(refusal("store.postgres_replicas", "postgresql://a/db, postgresql://b/db"), HasSubstr("spaces"));
}

TEST(PostgresSettings, ABadUriIsNotRepeated) {
  const auto message = refusal("store.postgres_primary", "mysql://root:hunter2@db/shop");
  EXPECT_THAT(message, HasSubstr("store.postgres_primary: expected a URI such as postgresql://"));
  EXPECT_THAT(message, Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace orderly::core
