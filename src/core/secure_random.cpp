#include "core/secure_random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace orderly::core {

SecureRandom::SecureRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::uint64_t SecureRandom::next_u64() {
  std::uint64_t value = 0;
  randombytes_buf(&value, sizeof value);
  return value;
}

}  // namespace orderly::core
