#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/verification_key.hpp"
#include "core/clock.hpp"

namespace orderly::auth {

// The claims of a verified access token.
struct AccessClaims {
  std::string subject;  // the user id
  std::vector<std::string> roles;
  std::string token_id;  // jti
  std::string key_id;    // kid
  std::int64_t token_version = 0;  // ver: the user's token version when issued (0 when absent)
  std::string session_id;          // sid: the refresh family (session) it was issued in; empty when absent
  bool second_factor = false;      // amr holds "otp": the account has MFA on (a code opened the session)
  std::chrono::system_clock::time_point issued_at;
  std::chrono::system_clock::time_point expires_at;
};

enum class TokenFailure {
  malformed,              // not three base64url parts of JSON
  unsupported_algorithm,  // alg outside the allow-list (only EdDSA), "none" in any spelling
  forbidden_header,       // jku, jwk, x5u, x5c, crit: never followed
  wrong_type,             // typ is not at+jwt (a refresh or ID token)
  unknown_key,            // kid absent, malformed, or not in the key source
  bad_signature,
  wrong_issuer,
  wrong_audience,
  expired,
  not_yet_valid,
};

[[nodiscard]] std::string_view to_string(TokenFailure failure);

class TokenError : public std::runtime_error {
 public:
  explicit TokenError(TokenFailure failure) : std::runtime_error(std::string(to_string(failure))), failure_(failure) {}
  [[nodiscard]] TokenFailure failure() const { return failure_; }

 private:
  TokenFailure failure_;
};

struct VerifierOptions {
  std::string issuer;
  std::string audience;
  std::chrono::seconds leeway{30};  // clock skew allowed on exp and nbf; at most 60 s
};

// Verifies access tokens (RFC 8725 rules): the algorithm comes from an
// allow-list (EdDSA), never from trust in the header; `kid` is only looked up
// among the source's keys; jku/jwk/x5u are never fetched; typ, iss, aud, exp
// and nbf are checked. Used by auth itself, by every module through
// AuthenticateMiddleware, and by the gateway. Thread-safe; CPU only (one
// Ed25519 verification, about 50 µs), no I/O.
class TokenVerifier {
 public:
  TokenVerifier(const KeySource& keys, const core::Clock& clock, VerifierOptions options);

  // Throws TokenError.
  [[nodiscard]] AccessClaims verify(std::string_view token) const;

 private:
  const KeySource& keys_;
  const core::Clock& clock_;
  VerifierOptions options_;
};

}  // namespace orderly::auth
