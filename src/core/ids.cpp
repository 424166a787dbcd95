#include "core/ids.hpp"

#include <algorithm>

namespace orderly::core {

std::string random_hex(Random& random, std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes * 2, '0');
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) word = random.next_u64();
    const auto byte = static_cast<unsigned>(word & 0xFFU);
    word >>= 8U;
    out[2 * i] = kDigits[byte >> 4U];
    out[2 * i + 1] = kDigits[byte & 0xFU];
  }
  return out;
}

std::string new_request_id(Random& random) { return random_hex(random, 16); }

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

}  // namespace orderly::core
