// LeasedJob on the real StoreLock (SQLite): one holder at a time, a clean
// stop hands over at once, a dead holder's lease is taken after its ttl.

#include "lock/leased_job.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/run_sync.hpp"
#include "lock/postgres_lock.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::lock {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kWait = 10s;  // bound of every wait below; the jobs tick every 20 ms

// Polls `condition` until it holds or kWait passes.
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// One process's event loop on a thread of its own.
class Loop {
 public:
  Loop() : thread_([this] { context_.run(); }) {}
  ~Loop() {
    guard_.reset();
    context_.stop();
    thread_.join();
  }
  asio::any_io_executor executor() { return context_.get_executor(); }

 private:
  asio::io_context context_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_{asio::make_work_guard(context_)};
  std::thread thread_;
};

// A job that counts its runs and remembers the last fencing token it got.
struct Counting {
  std::atomic<int> runs{0};
  std::atomic<std::uint64_t> token{0};
  LeasedJob::Work work() {
    return [this](const Lease& lease) -> asio::awaitable<void> {
      token = lease.fencing_token;
      ++runs;
      co_return;
    };
  }
};

class LeasedJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-leased-job-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    store::sqlite::SqliteOptions options;
    options.path = folder_ + "/orderly.db";
    store_ = std::make_unique<store::sqlite::SqliteStore>(options, metrics_);
    core::run_sync(store::migrate(*store_, store::orderly_migrations()));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(folder_);
  }

  static constexpr LeasedJobOptions kOptions{20ms, 300ms};

  std::string folder_;
  core::metrics::Registry metrics_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(LeasedJobTest, OnlyTheHolderRunsAndAStopHandsOverWithAHigherToken) {
  StoreLock lock_a(*store_, "process-a");
  StoreLock lock_b(*store_, "process-b");
  Counting a;
  Counting b;
  Loop loop_a;
  Loop loop_b;
  auto job_a = std::make_unique<LeasedJob>("sweep", lock_a, metrics_, kOptions, a.work());
  LeasedJob job_b("sweep", lock_b, metrics_, kOptions, b.work());
  job_a->start(loop_a.executor());
  ASSERT_TRUE(eventually([&] { return a.runs >= 3; }));
  job_b.start(loop_b.executor());
  // B ticks many times while A renews: it never runs.
  ASSERT_TRUE(eventually([&] { return a.runs >= 30; }));
  EXPECT_EQ(b.runs, 0);
  EXPECT_TRUE(job_a->held());
  EXPECT_FALSE(job_b.held());

  const auto token_a = a.token.load();
  job_a->stop(1s);  // releases: B takes over at its next attempt (every ttl / 3), before the ttl
  EXPECT_FALSE(job_a->held());
  const auto stopped_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return b.runs >= 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, kOptions.ttl);
  EXPECT_GT(b.token.load(), token_a);
  EXPECT_TRUE(job_b.held());
  job_b.stop(1s);
  job_a.reset();
}

TEST_F(LeasedJobTest, ADeadHoldersLeaseIsTakenAfterItsTtl) {
  // The dead holder: acquired the lease and never renews nor releases it.
  StoreLock dead(*store_, "process-dead");
  const auto lease = core::run_sync(dead.try_acquire("relay", kOptions.ttl));
  ASSERT_TRUE(lease.has_value());
  const auto taken_at = std::chrono::steady_clock::now();

  StoreLock lock(*store_, "process-alive");
  Counting alive;
  Loop loop;
  LeasedJob job("relay", lock, metrics_, kOptions, alive.work());
  job.start(loop.executor());
  ASSERT_TRUE(eventually([&] { return alive.runs >= 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - taken_at, kOptions.ttl - 50ms);  // not before the ttl ran out
  EXPECT_GT(alive.token.load(), lease->fencing_token);
  EXPECT_FALSE(core::run_sync(dead.renew(*lease, kOptions.ttl)));  // the dead holder's lease is gone for good
  job.stop(1s);
}

TEST_F(LeasedJobTest, ATtlNotAboveTheIntervalIsRefused) {
  StoreLock lock(*store_, "process-a");
  Counting counting;
  EXPECT_THROW(LeasedJob("x", lock, metrics_, LeasedJobOptions{1s, 1s}, counting.work()), std::invalid_argument);
}

}  // namespace
}  // namespace orderly::lock
