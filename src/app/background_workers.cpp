#include "app/background_workers.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include "core/logging.hpp"

namespace orderly::app {

namespace asio = boost::asio;

BackgroundWorkers::~BackgroundWorkers() {
  stop(std::chrono::seconds(5));
}

void BackgroundWorkers::add(Worker worker) {
  workers_.push_back(std::move(worker));
}

void BackgroundWorkers::start() {
  if (started_ || workers_.empty()) return;
  started_ = true;
  running_ = workers_.size();
  for (auto& worker : workers_) {
    auto finished = [this, name = worker.name](std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& failure) {
          core::log::error("worker.failed", {{"worker", name}, {"error", failure.what()}});
        }
      }
      const std::lock_guard lock(mutex_);
      --running_;
      finished_.notify_all();
    };
    asio::co_spawn(loop_, worker.run(), std::move(finished));
  }
  thread_ = std::thread([this] {
    // The pools the workers open on this loop (PostgreSQL, Redis) keep it
    // busy between calls; the loop runs until stop() stops it.
    auto guard = asio::make_work_guard(loop_);
    loop_.run();
  });
}

std::size_t BackgroundWorkers::stop(std::chrono::milliseconds grace) {
  if (!started_ || stopped_) return 0;
  stopped_ = true;
  for (auto& worker : workers_) worker.stop();
  std::size_t unfinished = 0;
  {
    std::unique_lock lock(mutex_);
    finished_.wait_for(lock, grace, [this] { return running_ == 0; });
    unfinished = running_;
  }
  if (unfinished > 0) core::log::warn("workers.stop_incomplete", {{"still_running", unfinished}});
  loop_.stop();
  thread_.join();
  return unfinished;
}

}  // namespace orderly::app
