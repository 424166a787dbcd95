#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "payments/vault_key_ring.hpp"

// Encryption of card numbers at rest: XChaCha20-Poly1305 (libsodium's IETF
// AEAD) with a random 192-bit nonce per card. The associated data binds a
// ciphertext to its row (payment method id and user id), so a ciphertext
// copied into another row, or another user's row, fails to open.
namespace orderly::payments {

// What goes into the associated data for the card `payment_method_id` of `user_id`.
[[nodiscard]] std::string card_associated_data(std::string_view payment_method_id, std::string_view user_id);

// nonce || ciphertext || tag, under `key`.
[[nodiscard]] std::string seal_card_number(const VaultKey& key, std::string_view number,
                                           std::string_view associated_data);

// The number, or nullopt when the bytes were altered, the key is not the one
// they were sealed under, or the associated data differs.
[[nodiscard]] std::optional<std::string> open_card_number(const VaultKey& key, std::string_view sealed,
                                                          std::string_view associated_data);

}  // namespace orderly::payments
