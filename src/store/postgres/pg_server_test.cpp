#include "store/postgres/pg_server.hpp"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/errors.hpp"

namespace orderly::store::postgres {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::map<std::string, std::string> parameters(const PgServer& server) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; server.keywords()[i] != nullptr; ++i) out[server.keywords()[i]] = server.values()[i];
  return out;
}

TEST(PgServer, TurnsAUriIntoConnectionParameters) {
  PgConnectionSettings settings;
  settings.statement_timeout = std::chrono::milliseconds(1500);
  const PgServer server("postgresql://orderly:secret@127.0.0.1:5433/shop?options=-csearch_path%3Dtenant",
                        PgServer::Role::replica, settings, "store.postgres_replicas");
  EXPECT_EQ(server.address(), "127.0.0.1:5433");
  EXPECT_EQ(server.role(), PgServer::Role::replica);
  const auto p = parameters(server);
  EXPECT_EQ(p.at("dbname"), "shop");
  EXPECT_EQ(p.at("user"), "orderly");
  EXPECT_EQ(p.at("password"), "secret");
  EXPECT_EQ(p.at("hostaddr"), "127.0.0.1");
  EXPECT_EQ(p.at("options"), "-csearch_path=tenant -c statement_timeout=1500");  // the URI's options are kept
  EXPECT_EQ(p.at("application_name"), "orderly");
  EXPECT_EQ(p.at("client_encoding"), "UTF8");
}

TEST(PgServer, ResolvesAHostNameOnce) {
  const PgServer server("postgresql://orderly@localhost/orderly", PgServer::Role::primary, {},
                        "store.postgres_primary");
  EXPECT_EQ(server.address(), "localhost:5432");
  const auto p = parameters(server);
  ASSERT_TRUE(p.contains("hostaddr"));
  EXPECT_THAT(p.at("hostaddr"), ::testing::AnyOf("127.0.0.1", "::1"));
}

TEST(PgServer, BracketsAnIpv6Address) {
  const PgServer server("postgresql://orderly@[::1]:6543/orderly", PgServer::Role::primary, {}, "primary");
  EXPECT_EQ(server.address(), "[::1]:6543");
}

TEST(PgServer, RefusesWhatIsNotAPostgresUriWithoutRepeatingIt) {
  try {
    const PgServer server("mysql://root:hunter2@db/shop", PgServer::Role::primary, {}, "store.postgres_primary");
    FAIL() << "accepted a mysql URI";
  } catch (const StoreError& error) {
    EXPECT_THAT(error.what(), HasSubstr("store.postgres_primary"));
    EXPECT_THAT(error.what(), Not(HasSubstr("hunter2")));
  }
  try {
    const PgServer server("postgresql://root:hun%ZZter2@db/shop", PgServer::Role::primary, {},
                          "store.postgres_primary");
    FAIL() << "accepted a broken percent-encoding";
  } catch (const StoreError& error) {
    EXPECT_THAT(error.what(), HasSubstr("percent"));
    EXPECT_THAT(error.what(), Not(HasSubstr("hun")));
  }
  EXPECT_THROW(PgServer("postgresql://orderly@no-such-host.invalid/orderly", PgServer::Role::primary, {}, "primary"),
               StoreError);
}

}  // namespace
}  // namespace orderly::store::postgres
