#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {
namespace {

constexpr Argon2Params kFloor{};

std::string hash_now(const std::string& password, const Argon2Params& params) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.iterations,
                            static_cast<std::size_t>(params.memory_kib) * 1024U, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return out;
}

}  // namespace

PasswordHasher::PasswordHasher(net::BlockingPool& pool, Argon2Params params) : pool_(pool), params_(params) {
  ensure_sodium();
  if (params.memory_kib < kFloor.memory_kib || params.iterations < kFloor.iterations) {
    throw std::invalid_argument("argon2id parameters below m=19456 KiB, t=2");
  }
  dummy_hash_ = hash_now(random_bytes(16), params_);
}

boost::asio::awaitable<std::string> PasswordHasher::hash(std::string password) {
  auto work = [&] { return hash_now(password, params_); };
  auto hashed = co_await pool_.run(work);
  sodium_memzero(password.data(), password.size());
  co_return hashed;
}

boost::asio::awaitable<bool> PasswordHasher::verify(std::string password, std::optional<std::string> stored) {
  const bool known = stored.has_value();
  const std::string& against = known ? *stored : dummy_hash_;
  auto work = [&] { return crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0; };
  const bool matches = co_await pool_.run(work);
  sodium_memzero(password.data(), password.size());
  co_return known && matches;
}

bool PasswordHasher::needs_rehash(const std::string& stored) const {
  return crypto_pwhash_str_needs_rehash(stored.c_str(), params_.iterations,
                                        static_cast<std::size_t>(params_.memory_kib) * 1024U) != 0;
}

}  // namespace orderly::auth
