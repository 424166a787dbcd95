#include "resilience/rolling_tally.hpp"

#include <stdexcept>

namespace orderly::resilience {

RollingTally::RollingTally(std::chrono::milliseconds window, std::size_t buckets) {
  if (window < std::chrono::milliseconds(1) || buckets == 0) {
    throw std::invalid_argument("a rolling window needs at least 1 ms and one bucket");
  }
  width_ns_ = std::max<std::int64_t>(1, std::chrono::nanoseconds(window).count() / static_cast<std::int64_t>(buckets));
  slices_.resize(buckets);
}

std::int64_t RollingTally::index_of(std::chrono::steady_clock::time_point now) const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() / width_ns_;
}

RollingTally::Slice& RollingTally::slice_at(std::int64_t index) {
  auto& slice = slices_[static_cast<std::size_t>(index) % slices_.size()];
  if (slice.index != index) slice = Slice{index, {}};  // a slice from an earlier turn of the ring
  return slice;
}

void RollingTally::add(std::chrono::steady_clock::time_point now, std::uint64_t events, std::uint64_t marked) {
  auto& slice = slice_at(index_of(now));
  slice.counts.events += events;
  slice.counts.marked += marked;
}

RollingTally::Totals RollingTally::totals(std::chrono::steady_clock::time_point now) {
  const auto current = index_of(now);
  const auto oldest = current - static_cast<std::int64_t>(slices_.size()) + 1;
  Totals sum;
  for (const auto& slice : slices_) {
    if (slice.index < oldest || slice.index > current) continue;
    sum.events += slice.counts.events;
    sum.marked += slice.counts.marked;
  }
  return sum;
}

void RollingTally::clear() {
  for (auto& slice : slices_) slice = Slice{};
}

}  // namespace orderly::resilience
