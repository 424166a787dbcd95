#include "auth/service_tokens.hpp"

#include <sodium.h>

#include <stdexcept>

namespace orderly::auth {

constexpr std::size_t kMinSecretBytes = 32;

ServiceTokens::ServiceTokens(const KeyRing& keys, const core::Clock& clock, std::string issuer, std::string secret,
                             std::chrono::seconds lifetime)
    : keys_(keys), clock_(clock), issuer_(std::move(issuer)), secret_(std::move(secret)), lifetime_(lifetime) {
  if (secret_.size() < kMinSecretBytes) throw std::invalid_argument("the internal secret needs at least 32 bytes");
}

bool ServiceTokens::secret_matches(std::string_view presented) const {
  if (presented.size() != secret_.size()) return false;
  return sodium_memcmp(presented.data(), secret_.data(), secret_.size()) == 0;
}

IssuedToken ServiceTokens::issue(const std::string& caller, const std::string& audience) const {
  if (!is_service_name(caller) || !is_service_name(audience)) throw std::invalid_argument("not a service name");
  const TokenIssuer issuer(keys_, clock_, IssuerOptions{issuer_, audience, lifetime_});
  return issuer.issue("service:" + caller, {std::string(kServiceRole)});
}

std::string new_internal_secret_text() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(hex) + "\n";
}

bool is_service_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (const char c : name) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace orderly::auth
