#pragma once

#include <atomic>

#include "core/clock.hpp"

namespace orderly::core {

// A clock that moves only when told: tests drive expiry and timeouts with it.
// Thread-safe.
class ManualClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::nanoseconds(offset_.load()));
  }
  [[nodiscard]] std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(offset_.load()));
  }
  void advance(std::chrono::nanoseconds by) { offset_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> offset_{1'700'000'000'000'000'000};  // late 2023, so wall time looks real
};

}  // namespace orderly::core
