#pragma once

#include <string>
#include <string_view>

#include "auth/key_ring.hpp"
#include "auth/token_issuer.hpp"
#include "core/clock.hpp"

namespace orderly::auth {

// The role a service credential carries; no user has it.
inline constexpr std::string_view kServiceRole = "service";

// Service credentials (scale-out): a caller that shows the platform's
// internal secret gets a short-lived access token signed by auth's key ring
// with sub "service:<caller>", the single role "service" and aud = the
// callee's name, so a token for the catalog is refused by payments, and a
// user's token (aud = auth.audience) by every internal listener. The secret
// is compared in constant time and never logged. Thread-safe.
class ServiceTokens {
 public:
  // Throws std::invalid_argument for a secret under 32 bytes.
  ServiceTokens(const KeyRing& keys, const core::Clock& clock, std::string issuer, std::string secret,
                std::chrono::seconds lifetime = std::chrono::seconds(300));

  [[nodiscard]] bool secret_matches(std::string_view presented) const;
  // `caller` and `audience` are service names ([a-z]+).
  [[nodiscard]] IssuedToken issue(const std::string& caller, const std::string& audience) const;

 private:
  const KeyRing& keys_;
  const core::Clock& clock_;
  std::string issuer_;
  std::string secret_;
  std::chrono::seconds lifetime_;
};

// A new internal secret: 32 random bytes (libsodium) as 64 hex digits.
[[nodiscard]] std::string new_internal_secret_text();

// Whether `name` may be a service's name: 1 to 32 lowercase letters.
[[nodiscard]] bool is_service_name(std::string_view name);

}  // namespace orderly::auth
