#pragma once

#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace orderly::core {

// Runs a coroutine to completion on a private io_context and returns its
// result (or rethrows its exception). For tests and command-line tools
// (`orderly migrate`), never for code on an event loop.
template <class T>
T run_sync(boost::asio::awaitable<T> work) {
  boost::asio::io_context context;
  std::exception_ptr error;
  std::optional<T> result;
  boost::asio::co_spawn(context, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
  });
  context.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline void run_sync(boost::asio::awaitable<void> work) {
  boost::asio::io_context context;
  std::exception_ptr error;
  boost::asio::co_spawn(context, std::move(work), [&](std::exception_ptr e) { error = e; });
  context.run();
  if (error) std::rethrow_exception(error);
}

}  // namespace orderly::core
