#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

namespace orderly::cache {

// Collapses concurrent loads of the same key into one: the first caller runs
// the loader; callers that ask for that key while it runs, from any event
// loop, wait for its result (or its exception) instead of loading again. This
// is what keeps a cache stampede (a hot key expiring under load) from turning
// into one database query per request.
//
// Waiting is as long as the loader takes: a loader must bound itself (the
// store's query timeout). Thread-safe.
class SingleFlight {
 public:
  using Loader = std::function<boost::asio::awaitable<std::string>()>;

  SingleFlight();
  ~SingleFlight();
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  // `key` is taken by value: a coroutine must own its arguments, since it may
  // run after the caller's temporaries are gone.
  boost::asio::awaitable<std::string> run(std::string key, Loader load);

  // Loads under way now, and callers waiting on the load of `key` (for tests
  // and metrics).
  [[nodiscard]] std::size_t in_flight() const;
  [[nodiscard]] std::size_t waiting(const std::string& key) const;

 private:
  struct Flight;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace orderly::cache
