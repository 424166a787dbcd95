#include "gateway/hash_ring.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace orderly::gateway {

std::uint64_t HashRing::hash(std::string_view text) {
  // A fixed key: the ring must place keys the same way in every gateway
  // replica and after every restart. SipHash spreads similar labels well.
  static constexpr unsigned char kKey[crypto_shorthash_KEYBYTES] = {'o', 'r', 'd', 'e', 'r', 'l', 'y', '-',
                                                                    'h', 'a', 's', 'h', 'r', 'i', 'n', 'g'};
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), kKey);
  std::uint64_t value = 0;
  std::memcpy(&value, out, sizeof value);
  return value;
}

HashRing::HashRing(const std::vector<std::string>& labels, unsigned virtual_nodes) : instances_(labels.size()) {
  points_.reserve(labels.size() * virtual_nodes);
  for (std::size_t index = 0; index < labels.size(); ++index) {
    for (unsigned node = 0; node < virtual_nodes; ++node) {
      points_.emplace_back(hash(labels[index] + "#" + std::to_string(node)), index);
    }
  }
  std::sort(points_.begin(), points_.end());
}

std::size_t HashRing::first_at_or_after(std::uint64_t point) const {
  const auto it = std::lower_bound(points_.begin(), points_.end(), std::make_pair(point, std::size_t{0}));
  return it == points_.end() ? 0 : static_cast<std::size_t>(it - points_.begin());
}

}  // namespace orderly::gateway
