// The contract every Cache implementation keeps, checked against each of them
// through the Cache interface on real event loops: the in-process LocalCache
// and RedisCache against a real Redis (ORDERLY_TEST_REDIS; the Redis cases
// fail, naming the variable, when it is not set).

#include <atomic>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cache/local_cache.hpp"
#include "cache/redis_test_support.hpp"

namespace orderly::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::run_until_done;

struct CacheKind {
  std::string name;
  std::function<std::unique_ptr<Cache>(core::metrics::Registry&, const core::Clock&)> make;
};

// Names the parameter in gtest's output (instead of its bytes).
void PrintTo(const CacheKind& kind, std::ostream* out) {
  *out << kind.name;
}

const CacheKind kLocal{"Local", [](core::metrics::Registry& metrics, const core::Clock& clock) {
                         return std::make_unique<LocalCache>(LocalCacheOptions{}, clock, metrics);
                       }};
const CacheKind kRedis{"Redis", [](core::metrics::Registry& metrics, const core::Clock& clock) {
                         return std::make_unique<RedisCache>(testing::test_redis_options(), clock, metrics);
                       }};

class CacheContract : public ::testing::TestWithParam<CacheKind> {
 protected:
  void SetUp() override { cache_ = GetParam().make(metrics_, clock_); }

  template <class T>
  T run(asio::awaitable<T> task) {
    return run_until_done(loop_, std::move(task));
  }

  core::SystemClock clock_;
  core::metrics::Registry metrics_;
  asio::io_context loop_{1};
  std::unique_ptr<Cache> cache_;
};

TEST_P(CacheContract, ReadsBackWhatWasSet) {
  run(cache_->set("greeting", "hello", 10s));
  EXPECT_EQ(run(cache_->get("greeting")), "hello");
}

TEST_P(CacheContract, MissesAnUnknownKey) {
  EXPECT_EQ(run(cache_->get("never-set")), std::nullopt);
}

TEST_P(CacheContract, AnEmptyValueIsAHitNotAMiss) {
  run(cache_->set("empty", "", 10s));
  EXPECT_EQ(run(cache_->get("empty")), std::string());
}

TEST_P(CacheContract, SetOverwrites) {
  run(cache_->set("colour", "red", 10s));
  run(cache_->set("colour", "a much longer blue", 10s));
  EXPECT_EQ(run(cache_->get("colour")), "a much longer blue");
}

TEST_P(CacheContract, EraseSaysWhetherAnEntryWasThere) {
  run(cache_->set("doomed", "x", 10s));
  EXPECT_TRUE(run(cache_->erase("doomed")));
  EXPECT_FALSE(run(cache_->erase("doomed")));
  EXPECT_EQ(run(cache_->get("doomed")), std::nullopt);
}

TEST_P(CacheContract, RejectsANonPositiveTtl) {
  EXPECT_THROW(run(cache_->set("k", "v", 0ms)), std::invalid_argument);
  EXPECT_THROW(run(cache_->set("k", "v", -5ms)), std::invalid_argument);
  EXPECT_EQ(run(cache_->get("k")), std::nullopt);
}

TEST_P(CacheContract, EntriesExpireAfterTheirTtl) {
  struct Observed {
    std::optional<std::string> right_after_set;
    std::optional<std::chrono::milliseconds> gone_after;
  };
  // Polls until the entry is gone, for at most 3 s: expiry is observed, not slept for.
  const auto observed = run([this]() -> asio::awaitable<Observed> {
    Observed result;
    const auto start = std::chrono::steady_clock::now();
    co_await cache_->set("short-lived", "soon gone", 200ms);
    result.right_after_set = co_await cache_->get("short-lived");
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (std::chrono::steady_clock::now() - start < 3s) {
      if (!co_await cache_->get("short-lived")) {
        result.gone_after =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        break;
      }
      pause.expires_after(10ms);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return result;
  }());
  EXPECT_EQ(observed.right_after_set, "soon gone");
  ASSERT_TRUE(observed.gone_after.has_value()) << "a 200 ms entry was still there after 3 s";
  EXPECT_GE(*observed.gone_after, 180ms) << "the entry went before its ttl";
}

TEST_P(CacheContract, ValuesAreBinarySafe) {
  std::string every_byte;
  for (int round = 0; round < 4; ++round) {
    for (int byte = 0; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  }
  std::string mebibyte(1024 * 1024, '\0');
  std::mt19937 random(42);
  for (auto& byte : mebibyte) byte = static_cast<char>(random() & 0xff);
  const std::string with_nul("before\0after", 12);

  run(cache_->set("every-byte", every_byte, 10s));
  run(cache_->set("mebibyte", mebibyte, 10s));
  run(cache_->set("with-nul", with_nul, 10s));
  EXPECT_EQ(run(cache_->get("every-byte")), every_byte);
  EXPECT_EQ(run(cache_->get("with-nul")), with_nul);
  const auto big = run(cache_->get("mebibyte"));
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->size(), mebibyte.size());
  EXPECT_TRUE(*big == mebibyte) << "the 1 MiB value came back altered";
}

TEST_P(CacheContract, KeysAreBinarySafeAndDistinct) {
  const std::vector<std::string> keys = {"a key with spaces",        "ключ 🔑", "line\r\nbreak *1\r\n$4\r\nPING",
                                         std::string("nul\0key", 7), "nul",    ""};
  for (std::size_t i = 0; i < keys.size(); ++i) run(cache_->set(keys[i], "value " + std::to_string(i), 10s));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(run(cache_->get(keys[i])), "value " + std::to_string(i)) << "key #" << i;
  }
  EXPECT_EQ(run(cache_->get("a key")), std::nullopt);
  EXPECT_TRUE(run(cache_->erase(std::string("nul\0key", 7))));
  EXPECT_EQ(run(cache_->get("nul")), "value 4") << "erasing \"nul\\0key\" must not touch \"nul\"";
}

// Two event loops on two threads, 100 coroutines each, interleaving writes and
// reads of their own keys; then every key is read back from the first loop.
TEST_P(CacheContract, ConcurrentCoroutinesOnTwoLoopsLoseNothing) {
  constexpr int kCoroutinesPerLoop = 100;
  constexpr int kRounds = 5;
  auto key_of = [](int loop, int coroutine, int round) {
    return "concurrent:" + std::to_string(loop) + ":" + std::to_string(coroutine) + ":" + std::to_string(round);
  };
  auto value_of = [](int loop, int coroutine, int round) {
    return std::to_string(loop * 1000000 + coroutine * 100 + round) +
           std::string(static_cast<std::size_t>(coroutine) * 37, 'v');
  };

  std::mutex mutex;
  std::vector<std::string> problems;
  auto report = [&](std::string problem) {
    const std::lock_guard lock(mutex);
    problems.push_back(std::move(problem));
  };
  auto worker = [&](int loop, int coroutine) -> asio::awaitable<void> {
    const auto thread = std::this_thread::get_id();
    for (int round = 0; round < kRounds; ++round) {
      const auto key = key_of(loop, coroutine, round);
      co_await cache_->set(key, value_of(loop, coroutine, round), 60s);
      if (std::this_thread::get_id() != thread) report("resumed on another thread after set");
      const auto read = co_await cache_->get(key);
      if (std::this_thread::get_id() != thread) report("resumed on another thread after get");
      if (read != value_of(loop, coroutine, round)) report("lost or wrong value for " + key);
    }
  };

  asio::io_context second_loop{1};
  asio::io_context* loops[2] = {&loop_, &second_loop};
  std::atomic<int> finished[2] = {0, 0};
  for (int loop = 0; loop < 2; ++loop) {
    for (int coroutine = 0; coroutine < kCoroutinesPerLoop; ++coroutine) {
      asio::co_spawn(*loops[loop], worker(loop, coroutine), [&, loop](std::exception_ptr error) {
        if (error) {
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            report(std::string("a coroutine threw: ") + e.what());
          }
        }
        ++finished[loop];
      });
    }
  }
  auto drive = [&](int loop) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (finished[loop] < kCoroutinesPerLoop && loops[loop]->run_one_until(deadline) > 0) {
    }
  };
  std::thread other(drive, 1);
  drive(0);
  other.join();

  ASSERT_EQ(finished[0], kCoroutinesPerLoop);
  ASSERT_EQ(finished[1], kCoroutinesPerLoop);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();

  const auto missing = run([&]() -> asio::awaitable<int> {
    int count = 0;
    for (int loop = 0; loop < 2; ++loop) {
      for (int coroutine = 0; coroutine < kCoroutinesPerLoop; ++coroutine) {
        for (int round = 0; round < kRounds; ++round) {
          if (co_await cache_->get(key_of(loop, coroutine, round)) != value_of(loop, coroutine, round)) ++count;
        }
      }
    }
    co_return count;
  }());
  EXPECT_EQ(missing, 0) << "entries written on either loop must be readable from the other";
}

INSTANTIATE_TEST_SUITE_P(Caches, CacheContract, ::testing::Values(kLocal, kRedis),
                         [](const ::testing::TestParamInfo<CacheKind>& kind) { return kind.param.name; });

}  // namespace
}  // namespace orderly::cache
