#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace orderly::resilience {

// Two counts (events, and the marked ones among them: failures, retries)
// over a rolling window, kept in `buckets` slices so old slices drop out as
// time moves: the totals cover between window - window/buckets and window.
// Not thread-safe (its owner locks); time comes from the caller.
class RollingTally {
 public:
  struct Totals {
    std::uint64_t events = 0;
    std::uint64_t marked = 0;
  };

  // Throws std::invalid_argument when window < 1 ms or buckets == 0.
  RollingTally(std::chrono::milliseconds window, std::size_t buckets);

  void add(std::chrono::steady_clock::time_point now, std::uint64_t events, std::uint64_t marked);
  [[nodiscard]] Totals totals(std::chrono::steady_clock::time_point now);
  void clear();

 private:
  struct Slice {
    std::int64_t index = -1;  // which bucket-width slice of time it counts
    Totals counts;
  };
  Slice& slice_at(std::int64_t index);
  [[nodiscard]] std::int64_t index_of(std::chrono::steady_clock::time_point now) const;

  std::int64_t width_ns_;
  std::vector<Slice> slices_;
};

}  // namespace orderly::resilience
