#pragma once

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/random.hpp"
#include "resilience/backoff.hpp"
#include "resilience/retry_budget.hpp"
#include "resilience/timeout.hpp"

namespace orderly::resilience {

// Runs `make_attempt()` (a callable returning a fresh awaitable<T> per
// attempt) until it succeeds, with:
// - at most policy.max_attempts attempts, each limited to
//   policy.per_try_timeout (TimeoutError) when set;
// - all of it within policy.overall_timeout when set: no attempt and no
//   back-off runs past it (the last error, or TimeoutError, is thrown);
// - back-off between attempts: backoff_delay() (exponential, full jitter),
//   waited on a steady_timer of the caller's executor;
// - a retry only when `should_retry(error)` says the failure is worth it
//   (the caller decides: typically is_retry_safe() for the request and a
//   transient error) and the budget, if one is given, has room.
// Returns the first success, or rethrows the last failure. The budget, the
// random source and the callables must outlive the returned awaitable.
template <class MakeAttempt, class ShouldRetry>
auto retry_call(MakeAttempt make_attempt, RetryPolicy policy, core::Random& random, RetryBudget* budget,
                ShouldRetry should_retry) -> boost::asio::awaitable<typename decltype(make_attempt())::value_type> {
  namespace asio = boost::asio;
  using T = typename decltype(make_attempt())::value_type;
  using Clock = std::chrono::steady_clock;
  const auto executor = co_await asio::this_coro::executor;
  std::optional<Clock::time_point> overall;
  if (policy.overall_timeout.count() > 0) overall = Clock::now() + policy.overall_timeout;
  if (budget != nullptr) budget->on_request();

  for (std::uint32_t attempt = 1;; ++attempt) {
    std::optional<Clock::time_point> deadline = overall;
    if (policy.per_try_timeout.count() > 0) {
      const auto per_try = Clock::now() + policy.per_try_timeout;
      deadline = deadline ? std::min(*deadline, per_try) : per_try;
    }
    std::exception_ptr failure;
    try {
      auto call = make_attempt();
      if constexpr (std::is_void_v<T>) {
        if (deadline) {
          co_await with_deadline(std::move(call), *deadline);
        } else {
          co_await std::move(call);
        }
        co_return;
      } else {
        if (deadline) co_return co_await with_deadline(std::move(call), *deadline);
        co_return co_await std::move(call);
      }
    } catch (...) {
      failure = std::current_exception();
    }
    if (attempt >= std::max<std::uint32_t>(1, policy.max_attempts) || !should_retry(failure)) {
      std::rethrow_exception(failure);
    }
    const auto delay = backoff_delay(policy, attempt, random);
    if (overall && Clock::now() + delay >= *overall) std::rethrow_exception(failure);
    if (budget != nullptr && !budget->try_spend_retry()) std::rethrow_exception(failure);
    asio::steady_timer pause(executor, delay);
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace orderly::resilience
