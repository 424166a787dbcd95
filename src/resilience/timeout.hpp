#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace orderly::resilience {

// An operation did not finish within its time limit.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `work` on the caller's executor against a steady_timer: whichever
// finishes first wins and the other is cancelled. Returns work's result,
// rethrows its exception, or throws TimeoutError when the deadline passes
// first. A deadline already past still starts the work, which is cancelled at
// once.
//
// Cancellation is cooperative (Asio's per-operation cancellation): the
// helper returns once `work` has reacted to it. Asio sockets and timers, and
// coroutines awaiting them, react at once; an operation that ignores
// cancellation keeps the caller until it finishes on its own.
template <class T>
boost::asio::awaitable<T> with_deadline(boost::asio::awaitable<T> work,
                                        std::chrono::steady_clock::time_point deadline) {
  namespace asio = boost::asio;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, deadline);
  auto group = asio::experimental::make_parallel_group(asio::co_spawn(executor, std::move(work), asio::deferred),
                                                       timer.async_wait(asio::deferred));
  if constexpr (std::is_void_v<T>) {
    auto [order, error, timer_error] =
        co_await group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    static_cast<void>(timer_error);
    if (order[0] == 1) throw TimeoutError("the operation did not finish before its deadline");
    if (error) std::rethrow_exception(error);
  } else {
    auto [order, error, result, timer_error] =
        co_await group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    static_cast<void>(timer_error);
    if (order[0] == 1) throw TimeoutError("the operation did not finish before its deadline");
    if (error) std::rethrow_exception(error);
    co_return std::move(result);
  }
}

// with_deadline(work, now + limit).
template <class T>
boost::asio::awaitable<T> with_timeout(boost::asio::awaitable<T> work, std::chrono::steady_clock::duration limit) {
  return with_deadline(std::move(work), std::chrono::steady_clock::now() + limit);
}

}  // namespace orderly::resilience
