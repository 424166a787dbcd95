#include "payments/card_cipher.hpp"

#include <sodium.h>

#include <stdexcept>

namespace orderly::payments {
namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

const unsigned char* bytes_of(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

}  // namespace

std::string card_associated_data(std::string_view payment_method_id, std::string_view user_id) {
  // Versioned and NUL-separated: ("ab", "c") and ("a", "bc") differ.
  std::string data = "orderly.card.v1";
  data += '\0';
  data += payment_method_id;
  data += '\0';
  data += user_id;
  return data;
}

std::string seal_card_number(const VaultKey& key, std::string_view number, std::string_view associated_data) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::string sealed(kNonceBytes + number.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, kNonceBytes);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonceBytes, &length, bytes_of(number), number.size(),
                                             bytes_of(associated_data), associated_data.size(), nullptr, out,
                                             key.bytes.data());
  sealed.resize(kNonceBytes + length);
  return sealed;
}

std::optional<std::string> open_card_number(const VaultKey& key, std::string_view sealed,
                                            std::string_view associated_data) {
  if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  std::string number(sealed.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long length = 0;
  const auto* in = bytes_of(sealed);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(number.data()), &length, nullptr,
                                                 in + kNonceBytes, sealed.size() - kNonceBytes,
                                                 bytes_of(associated_data), associated_data.size(), in,
                                                 key.bytes.data()) != 0) {
    return std::nullopt;
  }
  number.resize(length);
  return number;
}

}  // namespace orderly::payments
