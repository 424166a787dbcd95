#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>

namespace orderly::net {

// Admission to a BlockingPool failed: every thread is busy and the queue is
// full. Callers answer 503 with Retry-After rather than queue without end.
class PoolSaturated : public std::runtime_error {
 public:
  explicit PoolSaturated(const std::string& pool) : std::runtime_error("blocking pool saturated: " + pool) {}
};

// A small, bounded pool of threads for CPU-heavy or blocking work (Argon2id
// hashing) that must never run on an event loop (DESIGN.md: runtime model).
// At most `threads` jobs run at once and at most `queue_limit` wait; beyond
// that `run` throws PoolSaturated at once, so a flood sheds load instead of
// starving the loops. The awaiting coroutine resumes on its own executor.
// Thread-safe.
class BlockingPool {
 public:
  BlockingPool(std::string name, unsigned threads, std::size_t queue_limit);
  ~BlockingPool();  // waits for running jobs
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  template <class Work>
  boost::asio::awaitable<std::invoke_result_t<Work>> run(Work work) {
    using Result = std::invoke_result_t<Work>;
    std::optional<std::conditional_t<std::is_void_v<Result>, bool, Result>> result;
    std::exception_ptr error;
    std::function<void()> job = [&] {
      try {
        if constexpr (std::is_void_v<Result>) {
          work();
          result.emplace(true);
        } else {
          result.emplace(work());
        }
      } catch (...) {
        error = std::current_exception();
      }
    };
    co_await run_job(std::move(job));
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<Result>) co_return std::move(*result);
  }

  // Jobs running or waiting now.
  [[nodiscard]] std::size_t load() const { return load_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

 private:
  boost::asio::awaitable<void> run_job(std::function<void()> job);

  struct Threads;
  std::string name_;
  std::size_t capacity_;
  std::atomic<std::size_t> load_{0};
  std::unique_ptr<Threads> threads_;
};

}  // namespace orderly::net
