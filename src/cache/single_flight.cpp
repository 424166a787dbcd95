#include "cache/single_flight.hpp"

#include <exception>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace orderly::cache {
namespace asio = boost::asio;

struct SingleFlight::Flight {
  std::mutex mutex;
  bool done = false;
  std::optional<std::string> value;
  std::exception_ptr error;
  // One per waiter: wakes it on its own executor (waiters may sit on other loops).
  std::vector<std::function<void()>> wake;
};

SingleFlight::SingleFlight() = default;
SingleFlight::~SingleFlight() = default;

std::size_t SingleFlight::in_flight() const {
  const std::lock_guard lock(mutex_);
  return flights_.size();
}

std::size_t SingleFlight::waiting(const std::string& key) const {
  std::shared_ptr<Flight> flight;
  {
    const std::lock_guard lock(mutex_);
    const auto found = flights_.find(key);
    if (found == flights_.end()) return 0;
    flight = found->second;
  }
  const std::lock_guard lock(flight->mutex);
  return flight->wake.size();
}

asio::awaitable<std::string> SingleFlight::run(std::string key, Loader load) {
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    const std::lock_guard lock(mutex_);
    auto& slot = flights_[key];
    if (!slot) {
      slot = std::make_shared<Flight>();
      leader = true;
    }
    flight = slot;
  }

  if (leader) {
    std::optional<std::string> value;
    std::exception_ptr error;
    try {
      value = co_await load();
    } catch (...) {
      error = std::current_exception();  // handed to every waiter, then rethrown below
    }
    {
      const std::lock_guard lock(mutex_);
      flights_.erase(key);  // later callers start a fresh load
    }
    std::vector<std::function<void()>> wake;
    {
      const std::lock_guard lock(flight->mutex);
      flight->done = true;
      flight->value = value;
      flight->error = error;
      wake.swap(flight->wake);
    }
    for (auto& waker : wake) waker();
    if (error) std::rethrow_exception(error);
    co_return std::move(*value);
  }

  // A waiter: park on a timer of our own executor until the leader moves its
  // expiry to the past. Moving the expiry (not cancel) also covers a wake that
  // arrives before the wait starts: the wait then completes at once.
  const auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  bool wait = false;
  {
    const std::lock_guard lock(flight->mutex);
    if (!flight->done) {
      wait = true;
      flight->wake.push_back([executor, timer] {
        asio::post(executor, [timer] { timer->expires_at(asio::steady_timer::time_point::min()); });
      });
    }
  }
  if (wait) co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));

  const std::lock_guard lock(flight->mutex);
  if (flight->error) std::rethrow_exception(flight->error);
  co_return *flight->value;
}

}  // namespace orderly::cache
