#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/metrics.hpp"

namespace orderly::resilience {

struct BulkheadOptions {
  std::size_t max_in_flight = 64;             // calls running at once
  std::size_t max_pending = 64;               // calls waiting for a slot; beyond: rejected at once
  std::chrono::milliseconds max_wait{1000};   // a waiting call gives up after this
};

// Caps the calls to one dependency (an upstream, the payment provider) so a
// slow one cannot take every connection and coroutine of the process: at
// most max_in_flight run at once, at most max_pending wait for a slot, in
// arrival order (a freed slot goes to the longest waiter), each for at most
// max_wait. A call beyond both caps, or one that waited too long, is refused:
// the caller answers 503 at once.
//
// acquire() returns a Permit that holds the slot until it is destroyed.
// Waiting suspends the caller's coroutine on a timer of its own executor;
// a freed slot is handed to the waiter across threads, so one bulkhead may
// serve every event loop. Thread-safe. The bulkhead must outlive its permits.
//
// Metrics, labelled name=<name>: orderly_bulkhead_in_flight,
// orderly_bulkhead_pending, orderly_bulkhead_rejections_total{name,reason="full|timeout"}.
class Bulkhead {
  struct Waiter;

 public:
  // Holds one slot; moving it transfers the slot, destroying it frees it.
  class Permit {
   public:
    Permit(Permit&& other) noexcept : bulkhead_(std::exchange(other.bulkhead_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

   private:
    friend class Bulkhead;
    explicit Permit(Bulkhead* bulkhead) : bulkhead_(bulkhead) {}
    Bulkhead* bulkhead_;
  };

  // Throws std::invalid_argument when max_in_flight is 0.
  Bulkhead(std::string name, BulkheadOptions options, core::metrics::Registry& metrics);
  ~Bulkhead();
  Bulkhead(const Bulkhead&) = delete;
  Bulkhead& operator=(const Bulkhead&) = delete;

  // A slot now, or std::nullopt without waiting.
  [[nodiscard]] std::optional<Permit> try_acquire();
  // A slot now, or after waiting in line for at most max_wait; std::nullopt
  // when the line is full or the wait ran out.
  boost::asio::awaitable<std::optional<Permit>> acquire();

  [[nodiscard]] std::size_t in_flight() const;
  [[nodiscard]] std::size_t pending() const;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  void release();

  std::string name_;
  BulkheadOptions options_;
  mutable std::mutex mutex_;
  std::size_t in_flight_ = 0;
  std::list<std::shared_ptr<Waiter>> waiters_;  // front: the longest waiting
  core::metrics::Gauge& in_flight_gauge_;
  core::metrics::Gauge& pending_gauge_;
  core::metrics::Counter& rejected_full_;
  core::metrics::Counter& rejected_timeout_;
};

}  // namespace orderly::resilience
