#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// Thin wrappers over libsodium for what auth needs in string form. No
// cryptography is implemented here; each call names the libsodium function
// it delegates to.
namespace orderly::auth {

// sodium_init(), once per process; safe to call from any thread, any number of times.
void ensure_sodium();

// RFC 4648 base64url without padding (sodium_bin2base64, URLSAFE_NO_PADDING).
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
// nullopt for anything that is not strict unpadded base64url (sodium_base642bin).
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

// `count` bytes from the CSPRNG (randombytes_buf).
[[nodiscard]] std::string random_bytes(std::size_t count);

// SHA-256 (crypto_hash_sha256) as lower-case hex.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

// Constant-time comparison of equal-length strings (sodium_memcmp); false when lengths differ.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace orderly::auth
