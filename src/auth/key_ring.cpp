#include "auth/key_ring.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr store::Statement kInsertKey{
    "auth.keys.insert",
    "INSERT INTO signing_keys (kid, public_key, sealed_secret, nonce, created_at_ms) VALUES ($1, $2, $3, $4, $5)"};
constexpr store::Statement kRetireOthers{
    "auth.keys.retire_others",
    "UPDATE signing_keys SET verify_until_ms = $1 WHERE verify_until_ms IS NULL AND kid <> $2"};
constexpr store::Statement kUsableKeys{
    "auth.keys.usable",
    "SELECT kid, public_key, sealed_secret, nonce, verify_until_ms FROM signing_keys"
    " WHERE verify_until_ms IS NULL OR verify_until_ms > $1 ORDER BY created_at_ms DESC, kid DESC"};

std::int64_t to_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

const unsigned char* bytes(const std::string& text) { return reinterpret_cast<const unsigned char*>(text.data()); }

}  // namespace

std::string parse_sealing_key(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  auto key = base64url_decode(text);
  if (!key || key->size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    throw std::invalid_argument("expected 32 bytes as unpadded base64url");
  }
  return *key;
}

std::string new_sealing_key_text() {
  return base64url_encode(random_bytes(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)) + "\n";
}

KeyRing::KeyRing(store::Store& store, std::string sealing_key, const core::Clock& clock)
    : store_(store), sealing_key_(std::move(sealing_key)), clock_(clock) {
  ensure_sodium();
  if (sealing_key_.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    throw std::invalid_argument("sealing key must be 32 bytes");
  }
}

SealedBox KeyRing::seal(std::string_view plaintext, std::string_view associated) const {
  SealedBox box;
  box.nonce = random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  box.ciphertext.resize(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(box.ciphertext.data()), &length,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nullptr, bytes(box.nonce),
      bytes(sealing_key_));
  box.ciphertext.resize(length);
  return box;
}

std::optional<std::string> KeyRing::unseal(const SealedBox& box, std::string_view associated) const {
  if (box.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      box.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return std::nullopt;
  }
  std::string plaintext(box.ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr, bytes(box.ciphertext),
          box.ciphertext.size(), reinterpret_cast<const unsigned char*>(associated.data()), associated.size(),
          bytes(box.nonce), bytes(sealing_key_)) != 0) {
    return std::nullopt;
  }
  plaintext.resize(length);
  return plaintext;
}

boost::asio::awaitable<void> KeyRing::insert_key(store::Transaction& tx, const std::string& kid) {
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  std::string secret(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_keypair(public_key, reinterpret_cast<unsigned char*>(secret.data()));

  auto nonce = random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  std::string sealed(secret.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long sealed_length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(sealed.data()), &sealed_length,
                                             bytes(secret), secret.size(), bytes(kid), kid.size(), nullptr,
                                             bytes(nonce), bytes(sealing_key_));
  sodium_memzero(secret.data(), secret.size());
  sealed.resize(sealed_length);

  auto row = params(kid, store::Blob{std::string(reinterpret_cast<char*>(public_key), sizeof public_key)},
                    store::Blob{std::move(sealed)}, store::Blob{std::move(nonce)}, to_ms(clock_.now()));
  co_await tx.execute(kInsertKey, std::move(row));
}

boost::asio::awaitable<void> KeyRing::load() {
  auto now = params(to_ms(clock_.now()));
  auto result = co_await store_.query(kUsableKeys, std::move(now), store::ReadOptions{.allow_replica = false});
  if (result.empty()) {
    const auto kid = base64url_encode(random_bytes(16));
    store::Store::Body create_first = [&](store::Transaction& tx) { return insert_key(tx, kid); };
    co_await store_.transaction(std::move(create_first));
    auto again = params(to_ms(clock_.now()));
    result = co_await store_.query(kUsableKeys, std::move(again), store::ReadOptions{.allow_replica = false});
  }

  auto next = std::make_shared<Snapshot>();
  for (const auto& row : result.rows) {
    VerificationKey key;
    key.kid = row.text("kid");
    const auto public_key = row.blob("public_key").bytes;
    if (public_key.size() != key.public_key.size()) throw std::runtime_error("signing key " + key.kid + ": bad public key");
    std::copy(public_key.begin(), public_key.end(), key.public_key.begin());
    next->keys.push_back(key);

    // The newest key that is not retired signs.
    if (next->signer.kid.empty() && row.is_null("verify_until_ms")) {
      const auto sealed = row.blob("sealed_secret").bytes;
      const auto nonce = row.blob("nonce").bytes;
      std::string secret(crypto_sign_SECRETKEYBYTES, '\0');
      unsigned long long secret_length = 0;
      if (sealed.size() != secret.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
          nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
          crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(secret.data()), &secret_length,
                                                     nullptr, bytes(sealed), sealed.size(), bytes(key.kid),
                                                     key.kid.size(), bytes(nonce), bytes(sealing_key_)) != 0) {
        throw std::runtime_error("signing key " + key.kid + " cannot be unsealed: is auth.key_file the right one?");
      }
      next->signer = SigningKey{key.kid, std::move(secret)};
    }
  }
  if (next->signer.kid.empty()) throw std::runtime_error("no current signing key");
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(next);
}

boost::asio::awaitable<std::string> KeyRing::rotate(std::chrono::seconds overlap) {
  const auto kid = base64url_encode(random_bytes(16));
  const auto verify_until = to_ms(clock_.now() + overlap);
  store::Store::Body replace_current = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await insert_key(tx, kid);
    auto retire = params(verify_until, kid);
    co_await tx.execute(kRetireOthers, std::move(retire));
  };
  co_await store_.transaction(std::move(replace_current));
  co_await load();
  co_return kid;
}

std::shared_ptr<const KeyRing::Snapshot> KeyRing::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::optional<VerificationKey> KeyRing::find(std::string_view kid) const {
  const auto current = snapshot();
  if (!current) return std::nullopt;
  for (const auto& key : current->keys) {
    if (key.kid == kid) return key;
  }
  return std::nullopt;
}

std::vector<VerificationKey> KeyRing::verification_keys() const {
  const auto current = snapshot();
  return current ? current->keys : std::vector<VerificationKey>{};
}

SigningKey KeyRing::signing_key() const {
  const auto current = snapshot();
  if (!current) throw std::logic_error("key ring used before load()");
  return current->signer;
}

}  // namespace orderly::auth
