#include "core/random.hpp"

#include <array>
#include <random>

namespace orderly::core {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
}

struct Xoshiro256 {
  std::array<std::uint64_t, 4> s{};

  Xoshiro256() {
    std::random_device device;
    std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32U) ^ device();
    for (auto& word : s) word = splitmix64(seed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17U;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

}  // namespace

std::uint64_t FastRandom::next_u64() {
  thread_local Xoshiro256 generator;
  return generator.next();
}

std::uint64_t SeededRandom::next_u64() {
  return splitmix64(state_);
}

}  // namespace orderly::core
