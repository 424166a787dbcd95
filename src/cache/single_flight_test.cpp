#include "cache/single_flight.hpp"

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace orderly::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Two event loops on their own threads, like the server's.
class TwoLoops {
 public:
  TwoLoops() {
    for (auto& context : contexts_) {
      threads_.emplace_back([&context] {
        auto guard = asio::make_work_guard(context);
        context.run();
      });
    }
  }
  ~TwoLoops() {
    for (auto& context : contexts_) context.stop();
    for (auto& thread : threads_) thread.join();
  }
  asio::io_context& operator[](std::size_t i) { return contexts_[i]; }

 private:
  std::array<asio::io_context, 2> contexts_;
  std::vector<std::thread> threads_;
};

// A loader that waits until the test releases it, so callers pile up behind
// it. It parks on a timer of its own loop; release() moves that timer's
// expiry to the past (a wait that starts later completes at once).
class GatedLoader {
 public:
  std::atomic<int> calls{0};

  SingleFlight::Loader make(std::string value, bool fail = false) {
    return [this, value, fail]() -> asio::awaitable<std::string> {
      ++calls;
      auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                        asio::steady_timer::time_point::max());
      {
        const std::lock_guard lock(mutex_);
        if (released_) timer->expires_at(asio::steady_timer::time_point::min());
        timers_.push_back(timer);
      }
      co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
      if (fail) throw std::runtime_error("store unavailable");
      co_return value;
    };
  }

  void release() {
    const std::lock_guard lock(mutex_);
    released_ = true;
    for (const auto& timer : timers_) {
      asio::post(timer->get_executor(), [timer] { timer->expires_at(asio::steady_timer::time_point::min()); });
    }
  }

 private:
  std::mutex mutex_;
  bool released_ = false;
  std::vector<std::shared_ptr<asio::steady_timer>> timers_;
};

// Spins (bounded) until `ready()`: the loops run on other threads, and the
// test must know they reached a state before it moves on.
template <class Ready>
bool eventually(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(SingleFlight, ConcurrentCallersOnTwoLoopsShareOneLoad) {
  TwoLoops loops;
  SingleFlight flights;
  GatedLoader loader;
  std::vector<std::future<std::string>> results;
  results.push_back(asio::co_spawn(loops[0], flights.run("k", loader.make("v")), asio::use_future));
  // The first caller must own the flight before the others arrive.
  ASSERT_TRUE(eventually([&] { return flights.in_flight() == 1; }));
  for (int i = 0; i < 10; ++i) {
    auto& loop = loops[static_cast<std::size_t>(i % 2)];
    results.push_back(asio::co_spawn(loop, flights.run("k", loader.make("other")), asio::use_future));
  }
  ASSERT_TRUE(eventually([&] { return flights.waiting("k") == 10; }));
  loader.release();
  for (auto& result : results) EXPECT_EQ(result.get(), "v");
  EXPECT_EQ(loader.calls.load(), 1);
  EXPECT_EQ(flights.in_flight(), 0U);
}

TEST(SingleFlight, ALoadErrorReachesEveryWaiterAndTheNextCallLoadsAgain) {
  TwoLoops loops;
  SingleFlight flights;
  GatedLoader failing;
  auto first = asio::co_spawn(loops[0], flights.run("k", failing.make("", true)), asio::use_future);
  ASSERT_TRUE(eventually([&] { return flights.in_flight() == 1; }));
  auto second = asio::co_spawn(loops[1], flights.run("k", failing.make("")), asio::use_future);
  ASSERT_TRUE(eventually([&] { return flights.waiting("k") == 1; }));
  failing.release();
  EXPECT_THROW(first.get(), std::runtime_error);
  EXPECT_THROW(second.get(), std::runtime_error);
  EXPECT_EQ(failing.calls.load(), 1);

  GatedLoader working;
  working.release();
  auto third = asio::co_spawn(loops[0], flights.run("k", working.make("fresh")), asio::use_future);
  EXPECT_EQ(third.get(), "fresh");
  EXPECT_EQ(working.calls.load(), 1);
}

TEST(SingleFlight, DifferentKeysLoadIndependently) {
  TwoLoops loops;
  SingleFlight flights;
  GatedLoader loader;
  loader.release();
  auto a = asio::co_spawn(loops[0], flights.run("a", loader.make("A")), asio::use_future);
  auto b = asio::co_spawn(loops[1], flights.run("b", loader.make("B")), asio::use_future);
  EXPECT_EQ(a.get(), "A");
  EXPECT_EQ(b.get(), "B");
  EXPECT_EQ(loader.calls.load(), 2);
}

}  // namespace
}  // namespace orderly::cache
