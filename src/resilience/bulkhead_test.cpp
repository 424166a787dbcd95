// The bulkhead on a real io_context: caps, the order of waiters, the wait
// bound, and a slot handed to a waiter on another thread.

#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/run_sync.hpp"
#include "resilience/bulkhead.hpp"

namespace orderly::resilience {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class BulkheadTest : public ::testing::Test {
 protected:
  double metric(const std::string& series) {
    const auto text = metrics_.render();
    const auto at = text.find(series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 1));
  }
  core::metrics::Registry metrics_;
  asio::io_context loop_{1};
};

TEST_F(BulkheadTest, BeyondInFlightAndPendingACallIsRejectedAtOnce) {
  Bulkhead bulkhead("up", {.max_in_flight = 2, .max_pending = 1, .max_wait = 10s}, metrics_);
  auto first = bulkhead.try_acquire();
  auto second = bulkhead.try_acquire();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(bulkhead.try_acquire()) << "try_acquire never waits";

  std::optional<Bulkhead::Permit> waited;
  bool waiter_done = false;
  auto wait = [&]() -> asio::awaitable<void> {
    waited = co_await bulkhead.acquire();
    waiter_done = true;
  };
  asio::co_spawn(loop_, wait(), asio::detached);
  loop_.poll();
  EXPECT_FALSE(waiter_done);
  EXPECT_EQ(bulkhead.pending(), 1U);

  std::optional<std::optional<Bulkhead::Permit>> refused;
  auto overflow = [&]() -> asio::awaitable<void> { refused = co_await bulkhead.acquire(); };
  asio::co_spawn(loop_, overflow(), asio::detached);
  loop_.poll();
  ASSERT_TRUE(refused.has_value()) << "the line is full: answered without waiting";
  EXPECT_FALSE(refused->has_value());
  EXPECT_EQ(metric(R"(orderly_bulkhead_rejections_total{name="up",reason="full"})"), 2);

  first.reset();  // frees a slot: it goes to the waiter
  loop_.poll();
  EXPECT_TRUE(waiter_done);
  EXPECT_TRUE(waited.has_value());
  EXPECT_EQ(bulkhead.in_flight(), 2U);
  EXPECT_EQ(bulkhead.pending(), 0U);
  waited.reset();
  second.reset();
  EXPECT_EQ(bulkhead.in_flight(), 0U);
  EXPECT_EQ(metric(R"(orderly_bulkhead_in_flight{name="up"})"), 0);
}

TEST_F(BulkheadTest, WaitersGetFreedSlotsInArrivalOrder) {
  Bulkhead bulkhead("up", {.max_in_flight = 1, .max_pending = 5, .max_wait = 10s}, metrics_);
  auto held = bulkhead.try_acquire();
  std::vector<int> order;
  auto wait = [&](int id) -> asio::awaitable<void> {
    auto permit = co_await bulkhead.acquire();
    if (permit) order.push_back(id);
    // Give the slot back after a turn of the loop, so the next waiter is woken by a release.
    const auto executor = co_await asio::this_coro::executor;
    co_await asio::post(executor, asio::use_awaitable);
  };
  for (int id = 0; id < 4; ++id) asio::co_spawn(loop_, wait(id), asio::detached);
  loop_.poll();
  EXPECT_TRUE(order.empty());
  EXPECT_FALSE(bulkhead.try_acquire()) << "a newcomer does not overtake the line";
  held.reset();
  loop_.run_for(5s);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(bulkhead.in_flight(), 0U);
}

TEST_F(BulkheadTest, AWaiterGivesUpAfterMaxWait) {
  Bulkhead bulkhead("up", {.max_in_flight = 1, .max_pending = 1, .max_wait = 50ms}, metrics_);
  auto held = bulkhead.try_acquire();
  const auto start = std::chrono::steady_clock::now();
  const auto permit = core::run_sync(bulkhead.acquire());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(permit.has_value());
  EXPECT_GE(took, 50ms);
  EXPECT_LT(took, 5s);
  EXPECT_EQ(bulkhead.pending(), 0U);
  EXPECT_EQ(bulkhead.in_flight(), 1U);
  EXPECT_EQ(metric(R"(orderly_bulkhead_rejections_total{name="up",reason="timeout"})"), 1);
}

TEST_F(BulkheadTest, ASlotFreedOnOneThreadWakesAWaiterOnAnotherLoop) {
  Bulkhead bulkhead("up", {.max_in_flight = 1, .max_pending = 1, .max_wait = 10s}, metrics_);
  auto held = bulkhead.try_acquire();
  std::atomic<bool> granted{false};
  auto wait = [&]() -> asio::awaitable<void> {
    auto permit = co_await bulkhead.acquire();
    granted = permit.has_value();
  };
  asio::co_spawn(loop_, wait(), asio::detached);
  std::thread other_loop([&] { loop_.run(); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (bulkhead.pending() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(bulkhead.pending(), 1U);
  const auto start = std::chrono::steady_clock::now();
  held.reset();
  other_loop.join();  // the loop runs out of work once the waiter has its slot and returns
  EXPECT_TRUE(granted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "woken by the release, not by max_wait";
  EXPECT_EQ(bulkhead.in_flight(), 0U);
}

TEST(BulkheadOptionsTest, RejectsZeroInFlight) {
  core::metrics::Registry metrics;
  EXPECT_THROW(Bulkhead("x", {.max_in_flight = 0}, metrics), std::invalid_argument);
}

}  // namespace
}  // namespace orderly::resilience
