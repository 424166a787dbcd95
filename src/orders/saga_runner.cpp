#include "orders/saga_runner.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "core/time_format.hpp"

namespace orderly::orders {

namespace asio = boost::asio;

struct SagaRunner::Shared {
  std::optional<asio::any_io_executor> executor;
  std::unique_ptr<asio::steady_timer> timer;  // the loop's wait; cancelled to wake it
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  std::size_t running = 0;  // sagas in flight
  bool loop_alive = false;
  std::atomic<bool> woken{false};  // a wake() that came while the loop was not waiting

  [[nodiscard]] bool idle_now() const { return running == 0 && !loop_alive; }
};

SagaRunner::SagaRunner(CheckoutSaga& saga, store::Store& store, const core::Clock& clock, std::string owner,
                       SagaRunnerOptions options)
    : saga_(saga),
      store_(store),
      clock_(clock),
      owner_(std::move(owner)),
      options_(options),
      shared_(std::make_shared<Shared>()) {}

SagaRunner::~SagaRunner() { stop(std::chrono::seconds(5)); }

void SagaRunner::start(asio::any_io_executor executor) {
  shared_->executor = executor;
  shared_->timer = std::make_unique<asio::steady_timer>(executor);
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->loop_alive = true;
  }
  asio::co_spawn(executor, loop(), asio::detached);
}

void SagaRunner::wake() {
  if (!shared_->executor) return;
  shared_->woken = true;
  asio::post(*shared_->executor, [shared = shared_] {
    if (shared->timer) shared->timer->cancel();
  });
}

void SagaRunner::stop(std::chrono::milliseconds grace) {
  if (!shared_->executor || shared_->stopping.exchange(true)) return;
  wake();
  std::unique_lock lock(shared_->mutex);
  if (!shared_->idle.wait_for(lock, grace, [&] { return shared_->idle_now(); })) {
    core::log::warn("orders.saga_runner_stop_incomplete", {{"in_flight", shared_->running}});
  }
}

asio::awaitable<std::size_t> SagaRunner::run_due_once() {
  std::size_t free = 0;
  {
    const std::lock_guard lock(shared_->mutex);
    free = shared_->running < options_.concurrency ? options_.concurrency - shared_->running : 0;
  }
  if (free == 0) co_return 0;
  const auto now = core::epoch_ms(clock_.now());
  const auto lease = static_cast<std::int64_t>(saga_.options().lease.count());
  auto claimed = co_await saga_store::claim_due(store_, owner_, now, now + lease, static_cast<std::int64_t>(free));
  if (!shared_->executor) {
    // No loop (tests): run them here, one after another.
    for (auto& order_id : claimed) co_await run_one(std::move(order_id));
    co_return claimed.size();
  }
  for (auto& order_id : claimed) {
    {
      const std::lock_guard lock(shared_->mutex);
      ++shared_->running;
    }
    auto saga = [this, order_id = std::move(order_id), shared = shared_]() -> asio::awaitable<void> {
      co_await run_one(order_id);
      {
        const std::lock_guard lock(shared->mutex);
        --shared->running;
      }
      shared->idle.notify_all();
      shared->woken = true;  // a slot is free: look again
      if (shared->timer) shared->timer->cancel();
    };
    asio::co_spawn(*shared_->executor, std::move(saga), asio::detached);
  }
  co_return claimed.size();
}

asio::awaitable<void> SagaRunner::run_one(std::string order_id) {
  try {
    const auto outcome = co_await saga_.run(order_id, owner_);
    (void)outcome;
  } catch (const std::exception& error) {
    // Its lease runs out and a later round takes it up again.
    core::log::error("orders.saga_failed", {{"order_id", order_id}, {"error", error.what()}});
  }
}

asio::awaitable<void> SagaRunner::loop() {
  while (!shared_->stopping) {
    try {
      co_await run_due_once();
    } catch (const std::exception& error) {
      core::log::warn("orders.saga_claim_failed", {{"error", error.what()}});
    }
    if (shared_->stopping) break;
    if (shared_->woken.exchange(false)) continue;
    shared_->timer->expires_after(options_.poll_interval);
    boost::system::error_code ignored;
    co_await shared_->timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    shared_->woken = false;
  }
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->loop_alive = false;
  }
  shared_->idle.notify_all();
}

}  // namespace orderly::orders
