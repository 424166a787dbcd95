// One contract for every Store implementation: the same tests run against
// each, through the Store interface only.
#include <filesystem>
#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::store {
namespace {

using core::run_sync;
namespace asio = boost::asio;

constexpr Statement kCreate{"test.create",
                            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                            " stock INTEGER NOT NULL CHECK (stock >= 0), price REAL, photo BLOB, note TEXT)",
                            "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                            " stock BIGINT NOT NULL CHECK (stock >= 0), price DOUBLE PRECISION, photo BYTEA, note TEXT)"};
constexpr Statement kInsert{"test.insert",
                            "INSERT INTO items (id, name, stock, price, photo, note) VALUES ($1, $2, $3, $4, $5, $6)"};
constexpr Statement kFind{"test.find", "SELECT id, name, stock, price, photo, note FROM items WHERE id = $1"};
constexpr Statement kTake{"test.take", "UPDATE items SET stock = stock - $2 WHERE id = $1"};
constexpr Statement kCount{"test.count", "SELECT COUNT(*) AS n FROM items"};

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::string& folder, core::metrics::Registry&)> make;
};

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-store-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    store_ = GetParam().make(folder_, metrics_);
    run_sync(store_->execute(kCreate));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(folder_);
  }

  void insert(std::int64_t id, std::string name, std::int64_t stock) {
    run_sync(store_->execute(kInsert, params(id, std::move(name), stock, std::nullopt, std::nullopt, std::nullopt)));
  }
  std::int64_t count() { return run_sync(store_->query(kCount)).first().int64("n"); }

  std::string folder_;
  core::metrics::Registry metrics_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, TypedValuesRoundTrip) {
  const std::string binary("a\0b\xff", 4);
  run_sync(store_->execute(kInsert, params(1, "widget", 3, 19.5, Blob{binary}, std::nullopt)));
  const auto result = run_sync(store_->query(kFind, params(1)));
  ASSERT_EQ(result.rows.size(), 1U);
  const auto& row = result.first();
  EXPECT_EQ(row.int64("id"), 1);
  EXPECT_EQ(row.text("name"), "widget");
  EXPECT_EQ(row.int64("stock"), 3);
  EXPECT_DOUBLE_EQ(row.real("price"), 19.5);
  EXPECT_EQ(row.blob("photo").bytes, binary);
  EXPECT_TRUE(row.is_null("note"));
  EXPECT_EQ(row.optional_text("note"), std::nullopt);
  EXPECT_THROW((void)row.text("note"), StoreError);
  EXPECT_THROW((void)row.int64("missing"), StoreError);
}

TEST_P(StoreContract, MissingRowIsAnEmptyResult) {
  const auto result = run_sync(store_->query(kFind, params(42)));
  EXPECT_TRUE(result.empty());
  EXPECT_THROW((void)result.first(), StoreError);
}

TEST_P(StoreContract, AffectedRowsAreCounted) {
  insert(1, "a", 5);
  EXPECT_EQ(run_sync(store_->execute(kTake, params(1, 2))).affected_rows, 1);
  EXPECT_EQ(run_sync(store_->execute(kTake, params(99, 2))).affected_rows, 0);
}

TEST_P(StoreContract, UniqueAndCheckViolationsAreTyped) {
  insert(1, "a", 5);
  try {
    insert(2, "a", 5);
    FAIL() << "duplicate name accepted";
  } catch (const ConstraintViolation& violation) {
    EXPECT_EQ(violation.kind(), ConstraintViolation::Kind::unique);
  }
  try {
    run_sync(store_->execute(kTake, params(1, 6)));  // stock would go below zero
    FAIL() << "negative stock accepted";
  } catch (const ConstraintViolation& violation) {
    EXPECT_EQ(violation.kind(), ConstraintViolation::Kind::check);
  }
  EXPECT_EQ(run_sync(store_->query(kFind, params(1))).first().int64("stock"), 5);
}

TEST_P(StoreContract, TransactionCommitsAllOrNothing) {
  run_sync(store_->transaction([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(kInsert, params(1, "a", 1, std::nullopt, std::nullopt, std::nullopt));
    co_await tx.execute(kInsert, params(2, "b", 1, std::nullopt, std::nullopt, std::nullopt));
  }));
  EXPECT_EQ(count(), 2);

  EXPECT_THROW(run_sync(store_->transaction([&](Transaction& tx) -> asio::awaitable<void> {
                 co_await tx.execute(kInsert, params(3, "c", 1, std::nullopt, std::nullopt, std::nullopt));
                 co_await tx.execute(kInsert, params(4, "a", 1, std::nullopt, std::nullopt, std::nullopt));  // dup
               })),
               ConstraintViolation);
  EXPECT_EQ(count(), 2) << "the first insert of a failed transaction must be rolled back";
}

TEST_P(StoreContract, ExceptionInTheBodyRollsBack) {
  EXPECT_THROW(run_sync(store_->transaction([&](Transaction& tx) -> asio::awaitable<void> {
                 co_await tx.execute(kInsert, params(1, "a", 1, std::nullopt, std::nullopt, std::nullopt));
                 throw std::runtime_error("payment declined");
               })),
               std::runtime_error);
  EXPECT_EQ(count(), 0);
}

TEST_P(StoreContract, ReadsInsideATransactionSeeItsOwnWrites) {
  std::int64_t seen = -1;
  run_sync(store_->transaction([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(kInsert, params(1, "a", 7, std::nullopt, std::nullopt, std::nullopt));
    seen = (co_await tx.execute(kFind, params(1))).first().int64("stock");
  }));
  EXPECT_EQ(seen, 7);
}

TEST_P(StoreContract, ConcurrentTransactionsNeverOversell) {
  insert(1, "last-items", 10);
  // 40 buyers of 1 each against stock 10, from coroutines interleaved on one
  // loop: exactly 10 succeed, the rest hit the CHECK and roll back.
  asio::io_context context;
  int sold = 0;
  int refused = 0;
  for (int buyer = 0; buyer < 40; ++buyer) {
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          try {
            co_await store_->transaction([&](Transaction& tx) -> asio::awaitable<void> {
              co_await tx.execute(kTake, params(1, 1));
            });
            ++sold;
          } catch (const ConstraintViolation&) {
            ++refused;
          }
        },
        asio::detached);
  }
  context.run();
  EXPECT_EQ(sold, 10);
  EXPECT_EQ(refused, 30);
  EXPECT_EQ(run_sync(store_->query(kFind, params(1))).first().int64("stock"), 0);
}

TEST_P(StoreContract, StatementsAreCountedByName) {
  insert(1, "a", 1);
  (void)run_sync(store_->query(kFind, params(1)));
  const auto text = metrics_.render();
  EXPECT_NE(text.find(R"(orderly_store_queries_total{statement="test.find",outcome="ok"} 1)"), std::string::npos)
      << text;
}

TEST_P(StoreContract, MissingParameterIsAnError) {
  EXPECT_THROW(run_sync(store_->query(kFind)), StoreError);
}

std::vector<StoreFactory> factories() {
  return {{"sqlite",
           [](const std::string& folder, core::metrics::Registry& metrics) -> std::unique_ptr<Store> {
             return std::make_unique<sqlite::SqliteStore>(sqlite::SqliteOptions{.path = folder + "/orderly.db"},
                                                          metrics);
           }},
          // The test primary, in a schema of its own per test (ctest runs
          // tests in parallel processes). No replica: the contract reads its
          // own writes without commit tokens, which only the primary promises.
          {"postgres", [](const std::string&, core::metrics::Registry& metrics) -> std::unique_ptr<Store> {
             return std::make_unique<postgres::testing::SchemaStore>(metrics);
           }}};
}

INSTANTIATE_TEST_SUITE_P(Implementations, StoreContract, ::testing::ValuesIn(factories()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::store
