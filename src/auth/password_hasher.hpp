#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "net/blocking_pool.hpp"

namespace orderly::auth {

// Argon2id cost. libsodium fixes parallelism at 1. The floor is OWASP's
// minimum (m = 19456 KiB, t = 2); configuration may only raise it.
struct Argon2Params {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
};

// Hashes and verifies passwords with Argon2id (libsodium crypto_pwhash_str,
// PHC string "$argon2id$v=19$m=...,t=...,p=1$salt$hash"). Each hash costs
// ~20 MiB and tens of milliseconds of one core, so it runs on the bounded
// blocking pool, never on an event loop; a flood gets PoolSaturated.
// Thread-safe.
class PasswordHasher {
 public:
  // Throws std::invalid_argument for parameters under the floor.
  PasswordHasher(net::BlockingPool& pool, Argon2Params params);

  boost::asio::awaitable<std::string> hash(std::string password);

  // Verifies `password` against `stored`. With no stored hash (unknown
  // email) it verifies against a dummy hash of the same cost and returns
  // false, so an attacker cannot tell missing accounts by timing.
  boost::asio::awaitable<bool> verify(std::string password, std::optional<std::string> stored);

  // True when `stored` was made with other parameters than the current ones.
  [[nodiscard]] bool needs_rehash(const std::string& stored) const;

  [[nodiscard]] const Argon2Params& params() const { return params_; }

 private:
  net::BlockingPool& pool_;
  Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace orderly::auth
