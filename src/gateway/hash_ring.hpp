#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orderly::gateway {

// Consistent hashing with virtual nodes: each instance owns `virtual_nodes`
// points on a 64-bit ring (SipHash of "label#i"), a key goes to the first
// point at or after its hash. Removing an instance moves only the keys it
// owned. Immutable after construction; safe to share.
class HashRing {
 public:
  HashRing() = default;
  HashRing(const std::vector<std::string>& labels, unsigned virtual_nodes);

  // Instance indexes in ring order starting at the key's point, each once,
  // until `accept(index)` says yes; returns that index, or -1.
  template <class Accept>
  [[nodiscard]] long find(std::string_view key, Accept accept) const {
    if (points_.empty()) return -1;
    const auto start = first_at_or_after(hash(key));
    std::vector<bool> seen(instances_, false);
    std::size_t distinct = 0;
    for (std::size_t step = 0; step < points_.size() && distinct < instances_; ++step) {
      const auto index = points_[(start + step) % points_.size()].second;
      if (seen[index]) continue;
      seen[index] = true;
      ++distinct;
      if (accept(index)) return static_cast<long>(index);
    }
    return -1;
  }

  [[nodiscard]] static std::uint64_t hash(std::string_view text);

 private:
  [[nodiscard]] std::size_t first_at_or_after(std::uint64_t point) const;

  std::vector<std::pair<std::uint64_t, std::size_t>> points_;
  std::size_t instances_ = 0;
};

}  // namespace orderly::gateway
