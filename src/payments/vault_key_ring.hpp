#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The card vault's keys: a ring of named 256-bit keys, the last one current.
// New cards are sealed under the current key; older keys stay until no card
// uses them, so `orderly vault rotate` can move cards over in batches.
//
// Text form (the key file and ORDERLY_VAULT_KEYS): entries `id:base64key`
// separated by newlines, commas or spaces; `#` starts a comment line; the
// last entry is the current key. Ids are 1-32 characters of [A-Za-z0-9_-].
namespace orderly::payments {

inline constexpr std::size_t kVaultKeyBytes = 32;  // XChaCha20-Poly1305

// A key ring that cannot be read, parsed or trusted. The message names the
// source and the problem, never key material.
class VaultKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct VaultKey {
  std::string id;
  std::array<unsigned char, kVaultKeyBytes> bytes{};
};

class VaultKeyRing {
 public:
  VaultKeyRing() = default;
  VaultKeyRing(const VaultKeyRing&) = default;
  VaultKeyRing(VaultKeyRing&&) noexcept = default;
  VaultKeyRing& operator=(const VaultKeyRing&) = default;
  VaultKeyRing& operator=(VaultKeyRing&&) noexcept = default;
  ~VaultKeyRing();  // wipes the key bytes

  // Throws VaultKeyError (naming `source`) on a malformed entry, a duplicate
  // id or an empty ring.
  [[nodiscard]] static VaultKeyRing parse(std::string_view text, std::string_view source);
  // The file form, one key a line, current last.
  [[nodiscard]] std::string serialize() const;

  // A ring of one fresh key from libsodium's CSPRNG.
  [[nodiscard]] static VaultKeyRing generate();
  // Adds a fresh key and makes it current; returns its id ("k<n>", n one more
  // than the largest such id in the ring).
  const VaultKey& add_new_key();
  // Drops a key that is not current (no-op for an unknown id).
  void remove(std::string_view id);

  [[nodiscard]] const VaultKey& current() const;  // the ring is never empty once built
  [[nodiscard]] const VaultKey* find(std::string_view id) const;
  [[nodiscard]] std::vector<std::string> ids() const;
  [[nodiscard]] bool empty() const { return keys_.empty(); }

 private:
  std::vector<VaultKey> keys_;
};

}  // namespace orderly::payments
