// The Idempotency-Key store on SQLite and PostgreSQL: one run per key,
// replays, mismatches, leases that let a retry take over a dead request, and
// the recorded answer committing with (and only with) the effect.
#include "orders/idempotency_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "orders/test_support.hpp"

namespace orderly::orders {
namespace {

using core::run_sync;
using Kind = IdempotencyDecision::Kind;
using testing::OrdersStoreTest;

constexpr store::Statement kEffects{"test.effects_create", "CREATE TABLE test_effects (name TEXT NOT NULL)"};
constexpr store::Statement kAddEffect{"test.effects_add", "INSERT INTO test_effects (name) VALUES ($1)"};
constexpr store::Statement kCountEffects{"test.effects_count", "SELECT COUNT(*) AS n FROM test_effects"};
constexpr store::Statement kCountKeys{"test.keys_count", "SELECT COUNT(*) AS n FROM idempotency_keys"};

class IdempotencyStoreContract : public OrdersStoreTest {
 protected:
  void SetUp() override {
    OrdersStoreTest::SetUp();
    run_sync(store_->execute(kEffects));
    store_ptr_ = std::make_unique<IdempotencyStore>(*store_, clock_, random_, options_);
  }
  IdempotencyStore& keys() { return *store_ptr_; }
  IdempotencyDecision begin(const std::string& user, const std::string& key, const std::string& fingerprint) {
    return run_sync(keys().begin(user, key, fingerprint));
  }
  void complete_with_effect(const IdempotencyKeyRef& owned, const RecordedResponse& response) {
    run_sync(store_->transaction([&](store::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute(kAddEffect, store::params("order"));
      co_await keys().complete(tx, owned, response, std::string("order-1"));
    }));
  }
  IdempotencyOptions options_{std::chrono::hours(24), std::chrono::seconds(30)};
  std::unique_ptr<IdempotencyStore> store_ptr_;
};

const RecordedResponse kCreated{201, "application/json", "/api/v1/orders/order-1", R"({"id":"order-1"})"};

TEST(IdempotencyKeyFormat, VisibleAsciiOfOneTo255Characters) {
  EXPECT_TRUE(is_valid_idempotency_key("a"));
  EXPECT_TRUE(is_valid_idempotency_key(std::string(255, 'k')));
  EXPECT_TRUE(is_valid_idempotency_key("order-2026-11-21_#1!~"));
  EXPECT_FALSE(is_valid_idempotency_key(""));
  EXPECT_FALSE(is_valid_idempotency_key(std::string(256, 'k')));
  EXPECT_FALSE(is_valid_idempotency_key("two words"));
  EXPECT_FALSE(is_valid_idempotency_key("tab\there"));
  EXPECT_FALSE(is_valid_idempotency_key("caf\xc3\xa9"));
}

TEST(IdempotencyKeyFormat, FingerprintCoversMethodPathAndBody) {
  const auto base = request_fingerprint("POST", "/api/v1/orders", R"({"a":1})");
  EXPECT_EQ(base.size(), 64U);
  EXPECT_EQ(base, request_fingerprint("POST", "/api/v1/orders", R"({"a":1})"));
  EXPECT_NE(base, request_fingerprint("POST", "/api/v1/orders", R"({"a":2})"));
  EXPECT_NE(base, request_fingerprint("PUT", "/api/v1/orders", R"({"a":1})"));
  EXPECT_NE(base, request_fingerprint("POST", "/api/v1/order", R"({"a":1})"));
}

TEST_P(IdempotencyStoreContract, FirstRunsRepeatWhileRunningIsInProgressAnotherBodyIsAMismatch) {
  const auto first = begin("alice", "k1", "hash-a");
  ASSERT_EQ(first.kind, Kind::run);
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::in_progress);
  EXPECT_EQ(begin("alice", "k1", "hash-b").kind, Kind::mismatch);
  EXPECT_EQ(begin("bob", "k1", "hash-b").kind, Kind::run) << "keys are per user";
}

TEST_P(IdempotencyStoreContract, CompletedKeyReplaysTheRecordedAnswer) {
  const auto first = begin("alice", "k1", "hash-a");
  complete_with_effect(first.owned, kCreated);
  const auto again = begin("alice", "k1", "hash-a");
  ASSERT_EQ(again.kind, Kind::replay);
  EXPECT_EQ(again.recorded.status, 201);
  EXPECT_EQ(again.recorded.body, kCreated.body);
  EXPECT_EQ(again.recorded.content_type, "application/json");
  EXPECT_EQ(again.recorded.location, kCreated.location);
  EXPECT_EQ(begin("alice", "k1", "hash-b").kind, Kind::mismatch);
  EXPECT_EQ(count_rows(kCountEffects), 1);
}

TEST_P(IdempotencyStoreContract, AnswerAndEffectCommitTogetherOrNotAtAll) {
  const auto first = begin("alice", "k1", "hash-a");
  EXPECT_THROW(run_sync(store_->transaction([&](store::Transaction& tx) -> boost::asio::awaitable<void> {
                 co_await tx.execute(kAddEffect, store::params("order"));
                 co_await keys().complete(tx, first.owned, kCreated, std::string("order-1"));
                 throw std::runtime_error("crash before commit");
               })),
               std::runtime_error);
  EXPECT_EQ(count_rows(kCountEffects), 0);
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::in_progress) << "no answer was recorded";
}

TEST_P(IdempotencyStoreContract, ADeadRequestsKeyIsRetakenAfterItsLeaseAndTheOldOwnerCannotComplete) {
  const auto dead = begin("alice", "k1", "hash-a");
  clock_.advance(std::chrono::seconds(29));
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::in_progress);
  clock_.advance(std::chrono::seconds(2));
  const auto retry = begin("alice", "k1", "hash-a");
  ASSERT_EQ(retry.kind, Kind::run);
  EXPECT_NE(retry.owned.lease_token, dead.owned.lease_token);

  // The first request was only slow: its commit must fail and roll back.
  EXPECT_THROW(complete_with_effect(dead.owned, kCreated), IdempotencyLeaseLost);
  EXPECT_EQ(count_rows(kCountEffects), 0);
  complete_with_effect(retry.owned, kCreated);
  EXPECT_EQ(count_rows(kCountEffects), 1);
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::replay);
}

TEST_P(IdempotencyStoreContract, ARefusalWithoutEffectIsRecordedToo) {
  const auto first = begin("alice", "k1", "hash-a");
  const RecordedResponse refused{409, "application/problem+json", std::nullopt, R"({"status":409})"};
  EXPECT_TRUE(run_sync(keys().complete_without_effect(first.owned, refused)));
  const auto again = begin("alice", "k1", "hash-a");
  ASSERT_EQ(again.kind, Kind::replay);
  EXPECT_EQ(again.recorded.status, 409);
  EXPECT_EQ(again.recorded.location, std::nullopt);
  EXPECT_FALSE(run_sync(keys().complete_without_effect(first.owned, refused))) << "already done";
}

TEST_P(IdempotencyStoreContract, AbandonedKeyRunsAgain) {
  const auto first = begin("alice", "k1", "hash-a");
  run_sync(keys().abandon(first.owned));
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::run);
}

TEST_P(IdempotencyStoreContract, KeysAreKeptForTheRetentionThenDeleted) {
  const auto first = begin("alice", "k1", "hash-a");
  complete_with_effect(first.owned, kCreated);
  clock_.advance(std::chrono::hours(23));
  EXPECT_EQ(run_sync(keys().delete_expired()), 0);
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::replay);
  clock_.advance(std::chrono::hours(2));
  EXPECT_EQ(run_sync(keys().delete_expired()), 1);
  EXPECT_EQ(count_rows(kCountKeys), 0);
}

TEST_P(IdempotencyStoreContract, EmbeddedRestartForgetsKeysLeftInProgress) {
  const auto done = begin("alice", "k1", "hash-a");
  complete_with_effect(done.owned, kCreated);
  (void)begin("alice", "k2", "hash-a");
  EXPECT_EQ(run_sync(keys().forget_in_progress()), 1);
  EXPECT_EQ(begin("alice", "k2", "hash-a").kind, Kind::run);
  EXPECT_EQ(begin("alice", "k1", "hash-a").kind, Kind::replay);
}

TEST_P(IdempotencyStoreContract, ConcurrentFirstRequestsRunOnce) {
  boost::asio::io_context context;
  int runs = 0;
  int in_progress = 0;
  for (int i = 0; i < 30; ++i) {
    boost::asio::co_spawn(
        context,
        [&]() -> boost::asio::awaitable<void> {
          const auto decision = co_await keys().begin("alice", "same-key", "hash-a");
          if (decision.kind == Kind::run) ++runs;
          if (decision.kind == Kind::in_progress) ++in_progress;
        },
        boost::asio::detached);
  }
  context.run();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(in_progress, 29);
}

INSTANTIATE_TEST_SUITE_P(Stores, IdempotencyStoreContract, ::testing::ValuesIn(testing::store_factories()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::orders
