#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace orderly::lock {

// Runs `work` on a single-threaded executor every `interval` (the first run
// at once) until stopped. A failed run is logged under `name` and the job
// carries on. stop() is thread-safe and waits for a run in progress.
class PeriodicJob {
 public:
  using Work = std::function<boost::asio::awaitable<void>()>;

  PeriodicJob(std::string name, std::chrono::milliseconds interval, Work work);
  ~PeriodicJob();
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void start(boost::asio::any_io_executor executor);
  void stop(std::chrono::milliseconds grace);

  // The same loop on the caller's executor, returning once stop or
  // request_stop was called: the shape of a background worker
  // (app::BackgroundWorkers), which owns the thread. Instead of start().
  boost::asio::awaitable<void> run();
  // Asks run() to return after the run in progress; returns at once. Thread-safe.
  void request_stop();

  struct Shared;  // public so the .cpp's coroutine can name it; defined there

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace orderly::lock
