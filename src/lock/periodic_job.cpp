#include "lock/periodic_job.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace orderly::lock {

namespace asio = boost::asio;

struct PeriodicJob::Shared {
  std::string name;
  std::chrono::milliseconds interval;
  Work work;
  std::optional<asio::any_io_executor> executor;
  std::unique_ptr<asio::steady_timer> timer;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable finished;
  bool running = false;
};

namespace {

asio::awaitable<void> run_periodically(std::shared_ptr<PeriodicJob::Shared> shared);

}  // namespace

PeriodicJob::PeriodicJob(std::string name, std::chrono::milliseconds interval, Work work)
    : shared_(std::make_shared<Shared>()) {
  // A zero interval is a loop that never sleeps: a whole core for nothing.
  if (interval <= std::chrono::milliseconds(0)) {
    throw std::invalid_argument("job " + name + ": the interval must be positive");
  }
  shared_->name = std::move(name);
  shared_->interval = interval;
  shared_->work = std::move(work);
}

PeriodicJob::~PeriodicJob() { stop(std::chrono::seconds(5)); }

void PeriodicJob::start(asio::any_io_executor executor) {
  shared_->executor = executor;
  shared_->timer = std::make_unique<asio::steady_timer>(executor);
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->running = true;
  }
  asio::co_spawn(executor, run_periodically(shared_), asio::detached);
}

asio::awaitable<void> PeriodicJob::run() {
  auto executor = co_await asio::this_coro::executor;
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->executor = executor;
    shared_->timer = std::make_unique<asio::steady_timer>(executor);
    shared_->running = true;
  }
  co_await run_periodically(shared_);
}

void PeriodicJob::request_stop() {
  if (shared_->stopping.exchange(true)) return;  // a run() not started yet sees the flag and returns
  const std::lock_guard lock(shared_->mutex);
  if (shared_->executor) asio::post(*shared_->executor, [shared = shared_] { shared->timer->cancel(); });
}

void PeriodicJob::stop(std::chrono::milliseconds grace) {
  if (!shared_->executor || shared_->stopping.exchange(true)) return;
  asio::post(*shared_->executor, [shared = shared_] { shared->timer->cancel(); });
  std::unique_lock lock(shared_->mutex);
  if (!shared_->finished.wait_for(lock, grace, [&] { return !shared_->running; })) {
    core::log::warn("job.stop_incomplete", {{"job", shared_->name}});
  }
}

namespace {

asio::awaitable<void> run_periodically(std::shared_ptr<PeriodicJob::Shared> shared) {
  while (!shared->stopping) {
    try {
      co_await shared->work();
    } catch (const std::exception& error) {
      core::log::warn("job.failed", {{"job", shared->name}, {"error", error.what()}});
    }
    if (shared->stopping) break;
    shared->timer->expires_after(shared->interval);
    boost::system::error_code ignored;
    co_await shared->timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  {
    const std::lock_guard lock(shared->mutex);
    shared->running = false;
  }
  shared->finished.notify_all();
}

}  // namespace
}  // namespace orderly::lock
