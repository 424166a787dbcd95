// Back-off, the retry budget, timeouts and the retry loop. Timeouts and
// back-off run on a real io_context with real timers (short ones); the budget
// runs on a ManualClock.

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "resilience/retry.hpp"

namespace orderly::resilience {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

asio::awaitable<int> answer_after(std::chrono::milliseconds delay, int value) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
  co_return value;
}

asio::awaitable<int> fail_now() {
  throw std::runtime_error("connection refused");
  co_return 0;
}

asio::awaitable<void> wait_for(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

template <class F>
std::chrono::milliseconds time_of(F&& run) {
  const auto start = Clock::now();
  run();
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class FixedRandom final : public core::Random {
 public:
  explicit FixedRandom(std::uint64_t value) : value_(value) {}
  std::uint64_t next_u64() override { return value_; }

 private:
  std::uint64_t value_;
};

TEST(BackoffTest, FullJitterStaysUnderTheDoublingCapAndUsesItsWholeRange) {
  const RetryPolicy policy{.base_delay = 100ms, .max_delay = 1000ms};
  core::SeededRandom random(42);
  const std::array<std::int64_t, 6> caps{100, 200, 400, 800, 1000, 1000};
  for (std::uint32_t retry = 1; retry <= caps.size(); ++retry) {
    std::int64_t lowest = 1'000'000;
    std::int64_t highest = -1;
    for (int i = 0; i < 2000; ++i) {
      const auto delay = backoff_delay(policy, retry, random).count();
      lowest = std::min(lowest, delay);
      highest = std::max(highest, delay);
    }
    const auto cap = caps[retry - 1];
    EXPECT_GE(lowest, 0);
    EXPECT_LE(lowest, cap / 20) << "retry " << retry << ": full jitter reaches near zero";
    EXPECT_LE(highest, cap) << "retry " << retry;
    EXPECT_GE(highest, cap - cap / 20) << "retry " << retry << ": and near the cap";
  }
  FixedRandom zero(0);
  EXPECT_EQ(backoff_delay(policy, 3, zero), 0ms);
  FixedRandom top(400);
  EXPECT_EQ(backoff_delay(policy, 3, top), 400ms);
  EXPECT_EQ(backoff_delay(policy, 64, top), 400ms) << "a late retry stays at the ceiling without overflow";
}

TEST(BackoffTest, OnlySafeOrIdempotentRequestsAreRetrySafe) {
  EXPECT_TRUE(is_retry_safe("GET", false));
  EXPECT_TRUE(is_retry_safe("HEAD", false));
  EXPECT_FALSE(is_retry_safe("POST", false));
  EXPECT_FALSE(is_retry_safe("PATCH", false));
  EXPECT_FALSE(is_retry_safe("DELETE", false));
  EXPECT_TRUE(is_retry_safe("POST", true));
  EXPECT_FALSE(is_retry_safe("get", false)) << "methods are case-sensitive";
}

TEST(RetryBudgetTest, AllowsRetriesUpToTheRatioOfRequestsPlusTheReserve) {
  core::ManualClock clock;
  core::metrics::Registry metrics;
  RetryBudget budget("upstream", {.ratio = 0.2, .min_retries_per_second = 0, .window = 10s}, clock, metrics);
  EXPECT_FALSE(budget.try_spend_retry()) << "no requests, no reserve: no retry";
  for (int i = 0; i < 10; ++i) budget.on_request();
  EXPECT_TRUE(budget.try_spend_retry());
  EXPECT_TRUE(budget.try_spend_retry());
  EXPECT_FALSE(budget.try_spend_retry()) << "2 retries are 20 % of 10 requests";
  for (int i = 0; i < 5; ++i) budget.on_request();
  EXPECT_TRUE(budget.try_spend_retry()) << "15 requests: 3 retries";
  EXPECT_FALSE(budget.try_spend_retry());

  clock.advance(11s);  // everything left the window
  EXPECT_FALSE(budget.try_spend_retry());
  budget.on_request();
  budget.on_request();
  budget.on_request();
  budget.on_request();
  budget.on_request();
  EXPECT_TRUE(budget.try_spend_retry()) << "the old retries no longer count";
  EXPECT_NE(metrics.render().find(R"(orderly_retry_budget_exhausted_total{name="upstream"} 4)"), std::string::npos);
}

TEST(RetryBudgetTest, TheReserveLetsAQuietServiceRetry) {
  core::ManualClock clock;
  core::metrics::Registry metrics;
  RetryBudget budget("quiet", {.ratio = 0.2, .min_retries_per_second = 1, .window = 3s}, clock, metrics);
  budget.on_request();
  EXPECT_TRUE(budget.try_spend_retry());
  EXPECT_TRUE(budget.try_spend_retry());
  EXPECT_TRUE(budget.try_spend_retry());
  EXPECT_FALSE(budget.try_spend_retry()) << "3 s * 1/s + 20 % of 1 request = 3.2";
}

TEST(TimeoutTest, ReturnsTheResultOfWorkThatFinishesInTime) {
  int value = 0;
  const auto took = time_of([&] { value = core::run_sync(with_timeout(answer_after(5ms, 42), 5s)); });
  EXPECT_EQ(value, 42);
  EXPECT_LT(took, 2s) << "the timer is cancelled, not waited out";
}

TEST(TimeoutTest, ThrowsTimeoutErrorAndCancelsWorkThatOverruns) {
  const auto took = time_of([] { EXPECT_THROW(core::run_sync(with_timeout(answer_after(30s, 1), 50ms)), TimeoutError); });
  EXPECT_GE(took, 50ms);
  EXPECT_LT(took, 5s) << "the overrunning work was cancelled";
  EXPECT_THROW(core::run_sync(with_timeout(wait_for(30s), 20ms)), TimeoutError);
  EXPECT_NO_THROW(core::run_sync(with_timeout(wait_for(1ms), 5s)));
}

TEST(TimeoutTest, AFastFailureIsRethrownAtOnceNotTurnedIntoATimeout) {
  const auto took = time_of([] { EXPECT_THROW(core::run_sync(with_timeout(fail_now(), 5s)), std::runtime_error); });
  EXPECT_LT(took, 2s);
}

TEST(TimeoutTest, ADeadlineInThePastTimesOutAtOnce) {
  EXPECT_THROW(core::run_sync(with_deadline(answer_after(30s, 1), Clock::now() - 1s)), TimeoutError);
}

class RetryCallTest : public ::testing::Test {
 protected:
  static bool always(const std::exception_ptr&) { return true; }
  core::SeededRandom random_{7};
  int attempts_ = 0;
};

TEST_F(RetryCallTest, RetriesUntilAnAttemptSucceeds) {
  auto attempt = [this]() -> asio::awaitable<int> {
    if (++attempts_ < 3) throw std::runtime_error("503");
    co_return 200;
  };
  const RetryPolicy policy{.max_attempts = 5, .base_delay = 1ms, .max_delay = 5ms};
  EXPECT_EQ(core::run_sync(retry_call(attempt, policy, random_, nullptr, always)), 200);
  EXPECT_EQ(attempts_, 3);
}

TEST_F(RetryCallTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  auto attempt = [this]() -> asio::awaitable<void> {
    ++attempts_;
    throw std::runtime_error("attempt " + std::to_string(attempts_));
    co_return;
  };
  const RetryPolicy policy{.max_attempts = 3, .base_delay = 1ms, .max_delay = 2ms};
  try {
    core::run_sync(retry_call(attempt, policy, random_, nullptr, always));
    ADD_FAILURE() << "expected the last error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "attempt 3");
  }
  EXPECT_EQ(attempts_, 3);
}

TEST_F(RetryCallTest, DoesNotRetryWhatTheCallerCallsUnsafe) {
  auto attempt = [this]() -> asio::awaitable<int> {
    ++attempts_;
    throw std::runtime_error("POST without an Idempotency-Key");
    co_return 0;
  };
  auto never = [](const std::exception_ptr&) { return false; };
  EXPECT_THROW(core::run_sync(retry_call(attempt, RetryPolicy{.max_attempts = 5}, random_, nullptr, never)),
               std::runtime_error);
  EXPECT_EQ(attempts_, 1);
}

TEST_F(RetryCallTest, APerTryTimeoutAbandonsAHungAttemptAndTheNextOneAnswers) {
  auto attempt = [this]() -> asio::awaitable<int> {
    const auto delay = ++attempts_ == 1 ? std::chrono::milliseconds(30s) : std::chrono::milliseconds(1ms);
    co_return co_await answer_after(delay, attempts_);
  };
  const RetryPolicy policy{.max_attempts = 3, .base_delay = 1ms, .max_delay = 1ms, .per_try_timeout = 50ms};
  int answer = 0;
  const auto took = time_of([&] { answer = core::run_sync(retry_call(attempt, policy, random_, nullptr, always)); });
  EXPECT_EQ(answer, 2);
  EXPECT_LT(took, 5s);
}

TEST_F(RetryCallTest, TheOverallTimeoutBoundsEveryAttemptAndBackOffTogether) {
  auto attempt = [this]() -> asio::awaitable<int> {
    ++attempts_;
    co_return co_await answer_after(30s, 0);
  };
  // Without the overall timeout, 1000 attempts of 20 ms would take 20 s; with
  // it, the attempts that fit in 300 ms (at most 15, each one waits out its
  // own 20 ms), however late a loaded machine fires the timers.
  const RetryPolicy policy{
      .max_attempts = 1000, .base_delay = 1ms, .max_delay = 1ms, .per_try_timeout = 20ms, .overall_timeout = 300ms};
  const auto took = time_of(
      [&] { EXPECT_THROW(core::run_sync(retry_call(attempt, policy, random_, nullptr, always)), TimeoutError); });
  EXPECT_GE(took, 300ms - 5ms);
  EXPECT_LT(took, 5s) << "a fraction of the 20 s the attempts alone would take";
  EXPECT_GE(attempts_, 2) << "timed-out attempts are retried within the overall timeout";
  EXPECT_LE(attempts_, 15);
}

TEST_F(RetryCallTest, AnEmptyBudgetStopsRetries) {
  core::ManualClock clock;
  core::metrics::Registry metrics;
  RetryBudget budget("up", {.ratio = 0.5, .min_retries_per_second = 0}, clock, metrics);
  auto attempt = [this]() -> asio::awaitable<int> {
    ++attempts_;
    throw std::runtime_error("503");
    co_return 0;
  };
  const RetryPolicy policy{.max_attempts = 10, .base_delay = 1ms, .max_delay = 1ms};
  EXPECT_THROW(core::run_sync(retry_call(attempt, policy, random_, &budget, always)), std::runtime_error);
  EXPECT_EQ(attempts_, 1) << "1 request buys half a retry: none";
  EXPECT_THROW(core::run_sync(retry_call(attempt, policy, random_, &budget, always)), std::runtime_error);
  EXPECT_EQ(attempts_, 3) << "2 requests buy one retry";
}

}  // namespace
}  // namespace orderly::resilience
