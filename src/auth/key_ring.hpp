#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/verification_key.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// The key that signs new access tokens. `secret` is the 64-byte Ed25519
// secret key: never log it.
struct SigningKey {
  std::string kid;
  std::string secret;
};

// A value sealed with the key ring's sealing key (XChaCha20-Poly1305).
struct SealedBox {
  std::string ciphertext;
  std::string nonce;
};

// Parses the sealing key (32 bytes as base64url, surrounding whitespace
// ignored), as kept in the key file or ORDERLY_AUTH_KEY. Throws std::invalid_argument.
[[nodiscard]] std::string parse_sealing_key(std::string_view text);
// A new sealing key in that text form.
[[nodiscard]] std::string new_sealing_key_text();

// The Ed25519 keys that sign and verify access tokens, kept in the store's
// signing_keys table with each secret sealed (XChaCha20-Poly1305, the kid as
// associated data) under a sealing key that lives outside the database. The
// newest key signs; older ones keep verifying until the last token they
// signed has expired, then drop out of the ring and the JWKS.
//
// Lookups (find, signing_key) read an immutable snapshot and never touch the
// store; load() refreshes it, so processes pick up a rotation made
// elsewhere (`orderly keys rotate`) at their next reload. Thread-safe.
class KeyRing final : public KeySource {
 public:
  KeyRing(store::Store& store, std::string sealing_key, const core::Clock& clock);

  // Reads the usable keys; creates the first one when there is none.
  // Throws std::runtime_error when a key cannot be unsealed (wrong sealing key).
  boost::asio::awaitable<void> load();

  // Makes a new signing key and retires the current one(s), which keep
  // verifying for `overlap` (the access-token lifetime plus leeway). Returns
  // the new kid. Reloads the ring.
  boost::asio::awaitable<std::string> rotate(std::chrono::seconds overlap);

  // Seals other secrets of auth at rest under the same key (a user's TOTP
  // secret). `associated` is bound to the box: unsealing with other
  // associated data fails, so a box cannot be moved to another row.
  [[nodiscard]] SealedBox seal(std::string_view plaintext, std::string_view associated) const;
  // nullopt when the box was not sealed by this key with `associated`, or was altered.
  [[nodiscard]] std::optional<std::string> unseal(const SealedBox& box, std::string_view associated) const;

  [[nodiscard]] std::optional<VerificationKey> find(std::string_view kid) const override;
  [[nodiscard]] std::vector<VerificationKey> verification_keys() const;
  // Throws std::logic_error before the first load().
  [[nodiscard]] SigningKey signing_key() const;

 private:
  struct Snapshot {
    std::vector<VerificationKey> keys;  // newest first
    SigningKey signer;
  };

  boost::asio::awaitable<void> insert_key(store::Transaction& tx, const std::string& kid);
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const;

  store::Store& store_;
  std::string sealing_key_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace orderly::auth
