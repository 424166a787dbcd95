#include "net/blocking_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "core/run_sync.hpp"

namespace orderly::net {
namespace {

TEST(BlockingPool, RunsWorkOffTheCallingThreadAndResumesOnIt) {
  BlockingPool pool("test", 1, 4);
  boost::asio::io_context loop;
  std::thread::id worker_thread;
  std::thread::id resumed_thread;
  int answer = 0;
  boost::asio::co_spawn(
      loop,
      [&]() -> boost::asio::awaitable<void> {
        auto work = [&] {
          worker_thread = std::this_thread::get_id();
          return 42;
        };
        answer = co_await pool.run(work);
        resumed_thread = std::this_thread::get_id();
      },
      boost::asio::detached);
  loop.run();
  EXPECT_EQ(answer, 42);
  EXPECT_NE(worker_thread, std::this_thread::get_id());
  EXPECT_EQ(resumed_thread, std::this_thread::get_id());
  EXPECT_EQ(pool.load(), 0U);
}

TEST(BlockingPool, PropagatesTheJobsException) {
  BlockingPool pool("test", 1, 1);
  auto failing = [&]() -> boost::asio::awaitable<int> {
    auto work = []() -> int { throw std::invalid_argument("bad"); };
    co_return co_await pool.run(work);
  };
  EXPECT_THROW(core::run_sync(failing()), std::invalid_argument);
}

TEST(BlockingPool, RejectsBeyondThreadsPlusQueue) {
  BlockingPool pool("test", 1, 1);  // capacity 2
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  std::atomic<int> started{0};
  boost::asio::io_context loop;
  int rejected = 0;
  int completed = 0;
  auto blocked_job = [&]() -> boost::asio::awaitable<void> {
    try {
      auto work = [&] {
        ++started;
        std::unique_lock lock(mutex);
        released.wait(lock, [&] { return release; });
      };
      co_await pool.run(work);
      ++completed;
    } catch (const PoolSaturated&) {
      ++rejected;
    }
  };
  for (int i = 0; i < 5; ++i) boost::asio::co_spawn(loop, blocked_job(), boost::asio::detached);
  // Admission happens synchronously up to the first suspension.
  loop.poll();
  EXPECT_EQ(rejected, 3);
  EXPECT_EQ(pool.load(), 2U);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  released.notify_all();
  loop.run();
  EXPECT_EQ(completed, 2);
  EXPECT_EQ(pool.load(), 0U);
}

}  // namespace
}  // namespace orderly::net
