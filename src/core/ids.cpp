#include "core/ids.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace orderly::core {

namespace {

// "00", "01", ... "ff": two characters per byte in one lookup (ids are made
// several times per request).
constexpr std::array<char, 512> make_hex_pairs() {
  constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, 512> pairs{};
  for (std::size_t byte = 0; byte < 256; ++byte) {
    pairs[2 * byte] = kDigits[byte >> 4U];
    pairs[2 * byte + 1] = kDigits[byte & 0xFU];
  }
  return pairs;
}
constexpr auto kHexPairs = make_hex_pairs();

}  // namespace

std::string random_hex(Random& random, std::size_t bytes) {
  std::string out(bytes * 2, '0');
  char* cursor = out.data();
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) word = random.next_u64();
    std::memcpy(cursor, &kHexPairs[2 * (word & 0xFFU)], 2);
    cursor += 2;
    word >>= 8U;
  }
  return out;
}

std::string new_request_id(Random& random) {
  return random_hex(random, 16);
}

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
}

}  // namespace orderly::core
