#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/verification_key.hpp"

namespace orderly::auth {

// RFC 7517 / RFC 8037: {"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
// "use": "sig", "kid": ..., "x": base64url}]}.
[[nodiscard]] std::string render_jwks(const std::vector<VerificationKey>& keys);

// Keeps only well-formed Ed25519 signing keys; anything else in the set is
// skipped. Throws std::invalid_argument when the text is not a JWK set.
[[nodiscard]] std::vector<VerificationKey> parse_jwks(std::string_view json);

}  // namespace orderly::auth
