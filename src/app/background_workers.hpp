#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace orderly::app {

// The long-running loops of a process besides its HTTP server (queue
// consumers, periodic jobs), each a coroutine on one event loop of their own
// with its own thread, so a slow import never holds up a request. `serve`
// starts them once the listeners are up and stops them after the HTTP drain,
// before the logger stops; a `worker` role would run only these.
class BackgroundWorkers {
 public:
  struct Worker {
    std::string name;                                   // for logs
    std::function<boost::asio::awaitable<void>()> run;  // returns once `stop` was called
    std::function<void()> stop;                         // thread-safe; asks `run` to return soon
  };

  BackgroundWorkers() = default;
  ~BackgroundWorkers();  // stop() with a short grace
  BackgroundWorkers(const BackgroundWorkers&) = delete;
  BackgroundWorkers& operator=(const BackgroundWorkers&) = delete;

  // Before start().
  void add(Worker worker);
  // Starts the thread and every worker; returns at once.
  void start();
  // Asks every worker to stop, waits up to `grace` for them to return, then
  // stops the loop and joins its thread. Returns how many were still running
  // (0 is clean). Safe to call twice, or without start().
  std::size_t stop(std::chrono::milliseconds grace);

  [[nodiscard]] std::size_t size() const { return workers_.size(); }

 private:
  std::vector<Worker> workers_;
  boost::asio::io_context loop_{1};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable finished_;
  std::size_t running_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace orderly::app
