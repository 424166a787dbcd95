// One contract for every DistributedLock, through the interface only, on real
// servers: RedisLock (ORDERLY_TEST_REDIS), StoreLock on PostgreSQL
// (ORDERLY_TEST_PG_PRIMARY, a schema of its own) and StoreLock on SQLite.

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cache/redis_test_support.hpp"
#include "core/run_sync.hpp"
#include "lock/postgres_lock.hpp"
#include "lock/redis_lock.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::lock {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cache::testing::run_until_done;

enum class Backend { redis, postgres, sqlite };

std::string backend_name(Backend backend) {
  switch (backend) {
    case Backend::redis:
      return "Redis";
    case Backend::postgres:
      return "Postgres";
    case Backend::sqlite:
      return "Sqlite";
  }
  return "?";
}

void PrintTo(Backend backend, std::ostream* out) {
  *out << backend_name(backend);
}

// Sleeps on the coroutine's own loop.
asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

class LockContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    switch (GetParam()) {
      case Backend::redis:
        redis_options_ = cache::testing::test_redis_options();
        break;
      case Backend::postgres:
        store_ = std::make_unique<store::postgres::testing::SchemaStore>(metrics_);
        break;
      case Backend::sqlite: {
        char folder[] = "/tmp/orderly-lock-XXXXXX";
        ASSERT_NE(mkdtemp(folder), nullptr);
        folder_ = folder;
        store::sqlite::SqliteOptions options;
        options.path = folder_ + "/orderly.db";
        store_ = std::make_unique<store::sqlite::SqliteStore>(options, metrics_);
        break;
      }
    }
    if (store_) core::run_sync(store::migrate(*store_, store::orderly_migrations()));
    lock_ = make_lock("instance-a");
    rival_ = make_lock("instance-b");
  }

  void TearDown() override {
    lock_.reset();
    rival_.reset();
    store_.reset();
    if (!folder_.empty()) std::filesystem::remove_all(folder_);
  }

  std::unique_ptr<DistributedLock> make_lock(const std::string& owner) {
    if (GetParam() == Backend::redis) return std::make_unique<RedisLock>(redis_options_, owner, clock_);
    return std::make_unique<StoreLock>(*store_, owner);
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    return run_until_done(loop_, std::move(task));
  }

  // Polls `contender` for `name` every 20 ms for at most 3 s (each attempt
  // with a 10 s ttl); its lease once it got one.
  std::optional<Lease> acquire_within_3s(DistributedLock& contender, const std::string& name) {
    auto poll = [&contender, name]() -> asio::awaitable<std::optional<Lease>> {
      const auto start = std::chrono::steady_clock::now();
      while (std::chrono::steady_clock::now() - start < 3s) {
        auto lease = co_await contender.try_acquire(name, 10s);
        if (lease) co_return lease;
        co_await pause(20ms);
      }
      co_return std::nullopt;
    };
    return run(poll());
  }

  core::SystemClock clock_;
  core::metrics::Registry metrics_;
  asio::io_context loop_{1};
  cache::RedisCacheOptions redis_options_;
  std::string folder_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DistributedLock> lock_;   // owner instance-a
  std::unique_ptr<DistributedLock> rival_;  // owner instance-b
};

TEST_P(LockContract, IsExclusiveWhileHeld) {
  const auto held = run(lock_->try_acquire("exclusive", 10s));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->name, "exclusive");
  EXPECT_EQ(held->owner, "instance-a");
  EXPECT_EQ(run(rival_->try_acquire("exclusive", 10s)), std::nullopt);
  EXPECT_EQ(run(lock_->try_acquire("exclusive", 10s)), std::nullopt) << "not re-entrant, even for its owner";
  EXPECT_TRUE(run(lock_->try_acquire("another-name", 10s)).has_value()) << "names are independent";
}

TEST_P(LockContract, ReleaseLetsAnotherAcquire) {
  const auto held = run(lock_->try_acquire("released", 10s));
  ASSERT_TRUE(held.has_value());
  EXPECT_TRUE(run(lock_->release(*held)));
  EXPECT_FALSE(run(lock_->release(*held))) << "a second release finds nothing to free";
  EXPECT_TRUE(run(rival_->try_acquire("released", 10s)).has_value());
}

TEST_P(LockContract, OnlyTheHolderCanRelease) {
  const auto held = run(lock_->try_acquire("not-yours", 10s));
  ASSERT_TRUE(held.has_value());
  EXPECT_FALSE(run(rival_->release(Lease{"not-yours", "instance-b", held->fencing_token})));
  EXPECT_FALSE(run(lock_->release(Lease{"not-yours", "instance-a", held->fencing_token + 1}))) << "wrong token";
  EXPECT_FALSE(run(rival_->renew(Lease{"not-yours", "instance-b", held->fencing_token}, 10s)));
  EXPECT_EQ(run(rival_->try_acquire("not-yours", 10s)), std::nullopt) << "still held";
  EXPECT_TRUE(run(lock_->release(*held)));
}

TEST_P(LockContract, ExpiryLetsAnotherAcquire) {
  const auto start = std::chrono::steady_clock::now();
  const auto held = run(lock_->try_acquire("expiring", 300ms));
  ASSERT_TRUE(held.has_value());
  const auto taken = acquire_within_3s(*rival_, "expiring");
  ASSERT_TRUE(taken.has_value()) << "a 300 ms lease was still held after 3 s";
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms) << "the lease went before its ttl";
  EXPECT_GT(taken->fencing_token, held->fencing_token);
  EXPECT_FALSE(run(lock_->release(*held))) << "the expired holder must not free the new holder's lock";
  EXPECT_FALSE(run(lock_->renew(*held, 10s)));
  EXPECT_EQ(run(lock_->try_acquire("expiring", 10s)), std::nullopt);
}

TEST_P(LockContract, FencingTokensStrictlyIncrease) {
  std::uint64_t last = 0;
  for (int round = 0; round < 5; ++round) {
    auto& holder = round % 2 == 0 ? *lock_ : *rival_;
    const auto held = run(holder.try_acquire("fenced", 10s));
    ASSERT_TRUE(held.has_value()) << "round " << round;
    EXPECT_GT(held->fencing_token, last) << "round " << round;
    last = held->fencing_token;
    EXPECT_EQ(run(rival_->try_acquire("fenced", 10s)), std::nullopt) << "a failed attempt gets no lease";
    EXPECT_TRUE(run(holder.release(*held)));
  }
}

TEST_P(LockContract, RenewExtendsAndFailsOnceLost) {
  // The first lease (1 s) gives the renewal time even on a loaded machine;
  // the rival asks once that lease has surely run out, measured from when it
  // was granted, so only the renewal can keep it.
  const auto held = run(lock_->try_acquire("renewed", 1s));
  const auto granted = std::chrono::steady_clock::now();  // no earlier than the lease began
  ASSERT_TRUE(held.has_value());
  EXPECT_TRUE(run(lock_->renew(*held, 10s)));
  const auto first_lease_over = granted + 1s + 200ms;
  run(pause(
      std::chrono::duration_cast<std::chrono::milliseconds>(first_lease_over - std::chrono::steady_clock::now())));
  EXPECT_EQ(run(rival_->try_acquire("renewed", 10s)), std::nullopt);

  EXPECT_TRUE(run(lock_->renew(*held, 300ms)));
  const auto taken = acquire_within_3s(*rival_, "renewed");
  ASSERT_TRUE(taken.has_value()) << "a lease renewed to 300 ms was still held after 3 s";
  EXPECT_FALSE(run(lock_->renew(*held, 10s))) << "a lost lease cannot be renewed";
  EXPECT_TRUE(run(rival_->renew(*taken, 10s)));
}

TEST_P(LockContract, RejectsANonPositiveTtl) {
  EXPECT_THROW(run(lock_->try_acquire("bad-ttl", 0ms)), std::invalid_argument);
  const auto held = run(lock_->try_acquire("bad-ttl", 10s));
  ASSERT_TRUE(held.has_value());
  EXPECT_THROW(run(lock_->renew(*held, -1ms)), std::invalid_argument);
}

// Eight contenders (four coroutines on each of two threads, two lock
// instances) race for one lock, five rounds: exactly one wins each round.
TEST_P(LockContract, ExactlyOneOfManyConcurrentContendersWins) {
  constexpr int kRounds = 5;
  constexpr int kPerThread = 4;
  std::array<asio::io_context, 2> loops{asio::io_context{1}, asio::io_context{1}};
  std::array<DistributedLock*, 2> contenders{lock_.get(), rival_.get()};
  std::uint64_t last_token = 0;

  for (int round = 0; round < kRounds; ++round) {
    std::mutex mutex;
    std::vector<Lease> winners;
    std::vector<std::string> errors;
    auto race = [&](std::size_t thread) {
      try {
        auto contend = [&](DistributedLock& contender) -> asio::awaitable<void> {
          auto lease = co_await contender.try_acquire("raced", 10s);
          if (lease) {
            const std::lock_guard guard(mutex);
            winners.push_back(std::move(*lease));
          }
        };
        auto all = [&]() -> asio::awaitable<void> {
          auto executor = co_await asio::this_coro::executor;
          std::vector<std::shared_ptr<std::atomic<bool>>> done;
          for (int i = 0; i < kPerThread; ++i) {
            auto finished = std::make_shared<std::atomic<bool>>(false);
            done.push_back(finished);
            asio::co_spawn(executor, contend(*contenders[thread]), [finished](std::exception_ptr error) {
              if (error) std::rethrow_exception(error);
              *finished = true;
            });
          }
          const auto start = std::chrono::steady_clock::now();
          for (const auto& finished : done) {
            while (!*finished && std::chrono::steady_clock::now() - start < 10s) co_await pause(2ms);
          }
        };
        run_until_done(loops[thread], all(), 15s);
      } catch (const std::exception& error) {
        const std::lock_guard guard(mutex);
        errors.emplace_back(error.what());
      }
    };
    std::thread first(race, 0);
    std::thread second(race, 1);
    first.join();
    second.join();

    EXPECT_TRUE(errors.empty()) << errors.front();
    ASSERT_EQ(winners.size(), 1U) << "round " << round;
    EXPECT_GT(winners.front().fencing_token, last_token);
    last_token = winners.front().fencing_token;
    auto& owner = winners.front().owner == "instance-a" ? *lock_ : *rival_;
    EXPECT_TRUE(run(owner.release(winners.front())));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LockContract, ::testing::Values(Backend::redis, Backend::postgres, Backend::sqlite),
                         [](const auto& test) { return backend_name(test.param); });

}  // namespace
}  // namespace orderly::lock
