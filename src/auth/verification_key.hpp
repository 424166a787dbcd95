#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace orderly::auth {

// A public key that verifies access tokens: Ed25519 (JWS "EdDSA"), named by `kid`.
struct VerificationKey {
  std::string kid;
  std::array<unsigned char, 32> public_key{};
};

// Where a verifier looks keys up by `kid`: the local key ring (auth, embedded
// mode) or a JWKS fetched from the auth service (the gateway). Only keys this
// source already holds are ever used; a token cannot bring its own.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // Thread-safe; never blocks on I/O.
  [[nodiscard]] virtual std::optional<VerificationKey> find(std::string_view kid) const = 0;
};

}  // namespace orderly::auth
