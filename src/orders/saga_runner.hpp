#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "orders/checkout_saga.hpp"
#include "store/store.hpp"

namespace orderly::orders {

struct SagaRunnerOptions {
  std::chrono::milliseconds poll_interval{1'000};
  std::size_t concurrency = 64;
};

// Runs due checkout sagas on an executor: claims them with a lease
// (saga_store::claim_due, so several processes share the work without
// running one saga twice), runs each as its own coroutine (never blocking
// the loop: every wait is an await), and looks again when one finishes, when
// woken (a new order, a cancel) or every poll interval. A saga whose process
// died is claimed again once its lease runs out, and resumes at its last
// recorded step. start() and wake() are thread-safe; stop() waits for the
// sagas in flight to reach a transition.
class SagaRunner {
 public:
  SagaRunner(CheckoutSaga& saga, store::Store& store, const core::Clock& clock, std::string owner,
             SagaRunnerOptions options);
  ~SagaRunner();
  SagaRunner(const SagaRunner&) = delete;
  SagaRunner& operator=(const SagaRunner&) = delete;

  void start(boost::asio::any_io_executor executor);
  // Look for due sagas now rather than at the next poll.
  void wake();
  // Stops claiming; returns once the sagas in flight are done, or after `grace`.
  void stop(std::chrono::milliseconds grace);

  // One round: claim what is due (up to the free concurrency) and run it to
  // its next wait. For tests and tools; returns how many were run.
  boost::asio::awaitable<std::size_t> run_due_once();

  [[nodiscard]] const std::string& owner() const { return owner_; }

 private:
  struct Shared;
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> run_one(std::string order_id);

  CheckoutSaga& saga_;
  store::Store& store_;
  const core::Clock& clock_;
  std::string owner_;
  SagaRunnerOptions options_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace orderly::orders
