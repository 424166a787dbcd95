#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/key_ring.hpp"
#include "core/clock.hpp"

namespace orderly::auth {

struct IssuerOptions {
  std::string issuer;
  std::string audience;
  std::chrono::seconds lifetime{900};
};

struct IssuedToken {
  std::string token;
  std::chrono::seconds expires_in;
};

// Signs access tokens (RFC 9068 profile): header {alg: EdDSA, typ: at+jwt,
// kid}, claims iss, aud, sub, exp, nbf, iat, jti, roles, ver, amr (RFC 8176:
// ["pwd"], or ["pwd", "otp"] for an account with MFA on), and sid (the
// session, when there is one). Thread-safe; CPU
// only (one Ed25519 signature, ~20 µs).
class TokenIssuer {
 public:
  TokenIssuer(const KeyRing& keys, const core::Clock& clock, IssuerOptions options);

  // `token_version` goes into the ver claim: admin routes compare it with
  // the user's current version, so a role or password change ends an admin
  // token at once. `session_id` (the refresh family) goes into sid, so the
  // sessions list can mark the caller's own. `second_factor`: the account
  // has MFA on, so its sessions were opened with a code (amr "otp"), which
  // auth.require_mfa_for_admin asks of admin tokens.
  [[nodiscard]] IssuedToken issue(const std::string& user_id, const std::vector<std::string>& roles,
                                  std::int64_t token_version = 0, const std::string& session_id = {},
                                  bool second_factor = false) const;
  [[nodiscard]] const IssuerOptions& options() const { return options_; }

 private:
  const KeyRing& keys_;
  const core::Clock& clock_;
  IssuerOptions options_;
};

}  // namespace orderly::auth
