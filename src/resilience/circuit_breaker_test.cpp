// Every transition of the circuit breaker, driven by a ManualClock.

#include <thread>

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "resilience/circuit_breaker.hpp"

namespace orderly::resilience {
namespace {

using namespace std::chrono_literals;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  double metric(const std::string& series) {
    const auto text = metrics_.render();
    const auto at = text.find(series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 1));
  }
  void fail(CircuitBreaker& breaker, int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(breaker.try_acquire());
      breaker.on_failure();
    }
  }
  void succeed(CircuitBreaker& breaker, int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(breaker.try_acquire());
      breaker.on_success();
    }
  }

  core::ManualClock clock_;
  core::metrics::Registry metrics_;
};

TEST_F(CircuitBreakerTest, TripsOnConsecutiveFailuresAndASuccessResetsTheRun) {
  CircuitBreaker breaker("payments", {.consecutive_failures = 3, .minimum_calls = 0}, clock_, metrics_);
  fail(breaker, 2);
  succeed(breaker, 1);
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), BreakerState::closed) << "2, a success, then 2: never 3 in a row";
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), BreakerState::open);
  EXPECT_FALSE(breaker.try_acquire());
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_state{name="payments"})"), 1);
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_transitions_total{name="payments",to="open"})"), 1);
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_rejections_total{name="payments"})"), 1);
}

TEST_F(CircuitBreakerTest, TripsOnTheFailureRateOnlyOnceTheMinimumCallsAreSeen) {
  CircuitBreaker breaker("up", {.consecutive_failures = 0, .failure_rate = 0.5, .minimum_calls = 10, .window = 10s},
                         clock_, metrics_);
  for (int i = 0; i < 4; ++i) {
    fail(breaker, 1);
    succeed(breaker, 1);
  }
  fail(breaker, 1);  // 5 of 9: over the rate, under the minimum
  EXPECT_EQ(breaker.state(), BreakerState::closed);
  fail(breaker, 1);  // 6 of 10
  EXPECT_EQ(breaker.state(), BreakerState::open);
}

TEST_F(CircuitBreakerTest, CallsOlderThanTheWindowDoNotCountTowardsTheRate) {
  CircuitBreaker breaker("up", {.consecutive_failures = 0, .failure_rate = 0.5, .minimum_calls = 4, .window = 10s},
                         clock_, metrics_);
  fail(breaker, 3);
  clock_.advance(11s);
  succeed(breaker, 2);
  fail(breaker, 1);  // in the window: 1 failure of 3 calls
  EXPECT_EQ(breaker.state(), BreakerState::closed);
  fail(breaker, 1);  // 2 of 4
  EXPECT_EQ(breaker.state(), BreakerState::open);
}

TEST_F(CircuitBreakerTest, OpenRefusesUntilTheCoolDownThenLetsLimitedProbesThrough) {
  CircuitBreaker breaker("up", {.consecutive_failures = 1, .cool_down = 5s, .half_open_probes = 2}, clock_, metrics_);
  fail(breaker, 1);
  clock_.advance(5s - 1ns);
  EXPECT_FALSE(breaker.try_acquire());
  EXPECT_EQ(breaker.state(), BreakerState::open);
  clock_.advance(1ns);
  EXPECT_TRUE(breaker.try_acquire());
  EXPECT_EQ(breaker.state(), BreakerState::half_open);
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_state{name="up"})"), 2);
  EXPECT_TRUE(breaker.try_acquire());
  EXPECT_FALSE(breaker.try_acquire()) << "two probes at a time";
}

TEST_F(CircuitBreakerTest, HalfOpenClosesAfterTheSuccessThreshold) {
  CircuitBreaker breaker(
      "up", {.consecutive_failures = 1, .cool_down = 1s, .half_open_probes = 1, .success_threshold = 2}, clock_,
      metrics_);
  fail(breaker, 1);
  clock_.advance(1s);
  ASSERT_TRUE(breaker.try_acquire());
  EXPECT_FALSE(breaker.try_acquire()) << "the one probe is out";
  breaker.on_success();
  EXPECT_EQ(breaker.state(), BreakerState::half_open) << "one success of two";
  ASSERT_TRUE(breaker.try_acquire()) << "the probe slot is free again";
  breaker.on_success();
  EXPECT_EQ(breaker.state(), BreakerState::closed);
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_state{name="up"})"), 0);
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_transitions_total{name="up",to="closed"})"), 1);
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_transitions_total{name="up",to="half_open"})"), 1);
}

TEST_F(CircuitBreakerTest, AFailedProbeReopensForAFullCoolDown) {
  CircuitBreaker breaker("up", {.consecutive_failures = 1, .cool_down = 2s}, clock_, metrics_);
  fail(breaker, 1);
  clock_.advance(2s);
  ASSERT_TRUE(breaker.try_acquire());
  breaker.on_failure();
  EXPECT_EQ(breaker.state(), BreakerState::open);
  clock_.advance(2s - 1ms);
  EXPECT_FALSE(breaker.try_acquire());
  clock_.advance(1ms);
  EXPECT_TRUE(breaker.try_acquire());
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_transitions_total{name="up",to="open"})"), 2);
}

TEST_F(CircuitBreakerTest, ResultsOfCallsAdmittedBeforeTheTripAreIgnoredWhileOpen) {
  CircuitBreaker breaker("up", {.consecutive_failures = 2, .cool_down = 1s}, clock_, metrics_);
  ASSERT_TRUE(breaker.try_acquire());  // a slow call, admitted while closed
  fail(breaker, 2);
  breaker.on_success();  // the slow call returns
  EXPECT_EQ(breaker.state(), BreakerState::open);
}

TEST_F(CircuitBreakerTest, AClosedBreakerStartsFromACleanRecord) {
  CircuitBreaker breaker("up", {.consecutive_failures = 3, .failure_rate = 0.5, .minimum_calls = 4, .cool_down = 1s},
                         clock_, metrics_);
  fail(breaker, 3);
  clock_.advance(1s);
  succeed(breaker, 1);
  ASSERT_EQ(breaker.state(), BreakerState::closed);
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), BreakerState::closed) << "the failures that tripped it no longer count";
}

TEST_F(CircuitBreakerTest, RunCountsExceptionsAsFailuresAndRefusesWhileOpen) {
  CircuitBreaker breaker("up", {.consecutive_failures = 2}, clock_, metrics_);
  auto ok = []() -> boost::asio::awaitable<int> { co_return 7; };
  auto broken = []() -> boost::asio::awaitable<int> {
    throw std::runtime_error("refused");
    co_return 0;
  };
  EXPECT_EQ(core::run_sync(breaker.run(ok())), 7);
  EXPECT_THROW(core::run_sync(breaker.run(broken())), std::runtime_error);
  EXPECT_THROW(core::run_sync(breaker.run(broken())), std::runtime_error);
  EXPECT_EQ(breaker.state(), BreakerState::open);
  EXPECT_THROW(core::run_sync(breaker.run(ok())), CircuitOpenError);
}

TEST_F(CircuitBreakerTest, CountsResultsFromTwoThreads) {
  CircuitBreaker breaker("up", {.consecutive_failures = 0, .failure_rate = 1.0, .minimum_calls = 4000}, clock_,
                         metrics_);
  auto report = [&] {
    for (int i = 0; i < 2000; ++i) {
      if (breaker.try_acquire()) breaker.on_failure();
    }
  };
  std::thread first(report);
  std::thread second(report);
  first.join();
  second.join();
  EXPECT_EQ(breaker.state(), BreakerState::open) << "4000 failures of 4000, counted from both threads";
  EXPECT_EQ(metric(R"(orderly_circuit_breaker_transitions_total{name="up",to="open"})"), 1);
}

TEST_F(CircuitBreakerTest, RejectsOptionsThatCannotWork) {
  EXPECT_THROW(CircuitBreaker("x", {.failure_rate = 0}, clock_, metrics_), std::invalid_argument);
  EXPECT_THROW(CircuitBreaker("x", {.failure_rate = 1.5}, clock_, metrics_), std::invalid_argument);
  EXPECT_THROW(CircuitBreaker("x", {.half_open_probes = 0}, clock_, metrics_), std::invalid_argument);
  EXPECT_THROW(CircuitBreaker("x", {.cool_down = 0ms}, clock_, metrics_), std::invalid_argument);
}

}  // namespace
}  // namespace orderly::resilience
