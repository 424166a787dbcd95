#pragma once

// Test-only helpers for the cache tests (cache_contract_test.cpp,
// redis_cache_test.cpp): driving a coroutine to completion on a real
// io_context, and a RedisCache configuration pointing at the test server.

#include <unistd.h>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "cache/redis_cache.hpp"
#include "core/test_servers.hpp"

namespace orderly::cache::testing {

// Runs `loop` on this thread until `task` has finished, for at most `limit`;
// returns its result or rethrows its exception. The loop keeps whatever other
// work it has (open Redis connections wait for their sockets), so this runs
// one handler at a time instead of run() until out of work.
template <class T>
T run_until_done(boost::asio::io_context& loop, boost::asio::awaitable<T> task,
                 std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  // On the heap: if the task overruns, its late completion must not write to this frame.
  struct Outcome {
    bool done = false;
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
  };
  auto outcome = std::make_shared<Outcome>();
  if constexpr (std::is_void_v<T>) {
    boost::asio::co_spawn(loop, std::move(task), [outcome](std::exception_ptr error) {
      outcome->error = error;
      outcome->done = true;
    });
  } else {
    boost::asio::co_spawn(loop, std::move(task), [outcome](std::exception_ptr error, T value) {
      outcome->error = error;
      if (!error) outcome->value = std::move(value);
      outcome->done = true;
    });
  }
  if (loop.stopped()) loop.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!outcome->done && loop.run_one_until(deadline) > 0) {
  }
  if (!outcome->done) {
    throw std::runtime_error("the coroutine did not finish within " + std::to_string(limit.count()) + " ms");
  }
  if (outcome->error) std::rethrow_exception(outcome->error);
  if constexpr (!std::is_void_v<T>) return std::move(*outcome->value);
}

// A key prefix no other test run shares, so runs against one Redis (several
// processes, or leftovers of a failed run) cannot see each other's keys.
inline std::string unique_key_prefix() {
  std::random_device random;
  return "orderly-test:" + std::to_string(::getpid()) + ":" + std::to_string(random()) + ":";
}

// Options for the Redis named by ORDERLY_TEST_REDIS (or the servers' env
// file); throws, naming the variable, when there is none.
inline RedisCacheOptions test_redis_options() {
  RedisCacheOptions options;
  options.address = orderly::testing::parse_redis_url(orderly::testing::test_server_setting("ORDERLY_TEST_REDIS"));
  options.key_prefix = unique_key_prefix();
  return options;
}

}  // namespace orderly::cache::testing
