#pragma once

#include <cstdint>

#include "core/random.hpp"

namespace orderly::core {

// libsodium's CSPRNG (randombytes_buf: the kernel's getrandom) behind the
// Random interface: what mints ids that name a user's objects or act as
// secrets (users, cards, orders, payments, jobs, messages), so that no
// answer of the server reveals the state that produced them. Request and
// trace ids keep FastRandom, whose outputs are public. Thread-safe; about
// 50 ns a call.
class SecureRandom final : public Random {
 public:
  SecureRandom();  // initialises libsodium; throws std::runtime_error if it cannot
  [[nodiscard]] std::uint64_t next_u64() override;
};

}  // namespace orderly::core
