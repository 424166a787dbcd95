#include "resilience/bulkhead.hpp"

#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace orderly::resilience {
namespace asio = boost::asio;

namespace {
core::metrics::Family<core::metrics::Counter>& rejections(core::metrics::Registry& metrics) {
  return metrics.counter("orderly_bulkhead_rejections_total",
                         "Calls a bulkhead refused: line full, or waited past max_wait.", {"name", "reason"});
}
}  // namespace

// A coroutine waiting for a slot. `granted` is written under the bulkhead's
// mutex; the timer is touched only on the waiter's own executor.
struct Bulkhead::Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool granted = false;
};

Bulkhead::Permit& Bulkhead::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (bulkhead_ != nullptr) bulkhead_->release();
    bulkhead_ = std::exchange(other.bulkhead_, nullptr);
  }
  return *this;
}

Bulkhead::Permit::~Permit() {
  if (bulkhead_ != nullptr) bulkhead_->release();
}

Bulkhead::Bulkhead(std::string name, BulkheadOptions options, core::metrics::Registry& metrics)
    : name_(std::move(name)),
      options_(options),
      in_flight_gauge_(metrics.gauge("orderly_bulkhead_in_flight", "Calls holding a bulkhead slot.", {"name"})
                           .with_labels({name_})),
      pending_gauge_(metrics.gauge("orderly_bulkhead_pending", "Calls waiting for a bulkhead slot.", {"name"})
                         .with_labels({name_})),
      rejected_full_(rejections(metrics).with_labels({name_, "full"})),
      rejected_timeout_(rejections(metrics).with_labels({name_, "timeout"})) {
  if (options_.max_in_flight == 0) throw std::invalid_argument("bulkhead " + name_ + ": max_in_flight must be >= 1");
}

Bulkhead::~Bulkhead() = default;

std::optional<Bulkhead::Permit> Bulkhead::try_acquire() {
  const std::lock_guard lock(mutex_);
  if (in_flight_ >= options_.max_in_flight || !waiters_.empty()) {
    rejected_full_.inc();
    return std::nullopt;
  }
  in_flight_gauge_.set(static_cast<double>(++in_flight_));
  return Permit(this);
}

asio::awaitable<std::optional<Bulkhead::Permit>> Bulkhead::acquire() {
  const auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<Waiter> waiter;
  {
    const std::lock_guard lock(mutex_);
    // Waiters go first: a newcomer never overtakes the line.
    if (in_flight_ < options_.max_in_flight && waiters_.empty()) {
      in_flight_gauge_.set(static_cast<double>(++in_flight_));
      co_return Permit(this);
    }
    if (waiters_.size() >= options_.max_pending) {
      rejected_full_.inc();
      co_return std::nullopt;
    }
    waiter = std::make_shared<Waiter>(executor);
    waiter->timer.expires_after(options_.max_wait);
    waiters_.push_back(waiter);
    pending_gauge_.set(static_cast<double>(waiters_.size()));
  }
  // Ends on max_wait, or early when release() hands this waiter a slot and
  // cancels the timer.
  const auto [ignored] = co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  static_cast<void>(ignored);
  const std::lock_guard lock(mutex_);
  if (waiter->granted) co_return Permit(this);  // release() moved its slot to us
  waiters_.remove(waiter);
  pending_gauge_.set(static_cast<double>(waiters_.size()));
  rejected_timeout_.inc();
  co_return std::nullopt;
}

void Bulkhead::release() {
  std::shared_ptr<Waiter> next;
  {
    const std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
      in_flight_gauge_.set(static_cast<double>(--in_flight_));
      return;
    }
    next = std::move(waiters_.front());
    waiters_.pop_front();
    next->granted = true;  // the slot passes to it; in_flight_ stays
    pending_gauge_.set(static_cast<double>(waiters_.size()));
  }
  // The waiter's timer belongs to its executor (maybe another thread).
  auto wake = [next] { next->timer.cancel(); };
  asio::post(next->timer.get_executor(), std::move(wake));
}

std::size_t Bulkhead::in_flight() const {
  const std::lock_guard lock(mutex_);
  return in_flight_;
}

std::size_t Bulkhead::pending() const {
  const std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace orderly::resilience
