#pragma once

#include <cstdint>

namespace orderly::core {

// Randomness comes in through this interface so tests can make it repeatable.
// Not for secrets: keys and tokens use libsodium's CSPRNG.
class Random {
 public:
  virtual ~Random() = default;
  [[nodiscard]] virtual std::uint64_t next_u64() = 0;
};

// A fast, non-cryptographic generator (xoshiro256**) with one state per thread,
// seeded from std::random_device. Safe to share between threads; the hot path
// (request and trace ids) takes no lock.
class FastRandom final : public Random {
 public:
  [[nodiscard]] std::uint64_t next_u64() override;
};

// A deterministic generator for tests (splitmix64 from a fixed seed). Not thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  [[nodiscard]] std::uint64_t next_u64() override;

 private:
  std::uint64_t state_;
};

}  // namespace orderly::core
