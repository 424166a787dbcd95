#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
// steps from the Unix epoch), computed by liboath (Debian's liboath-dev); no
// HMAC or truncation is written here. Codes are compared in constant time.
namespace orderly::auth {

inline constexpr unsigned kTotpDigits = 6;
inline constexpr std::chrono::seconds kTotpStep{30};
inline constexpr std::size_t kTotpSecretBytes = 20;  // 160 bits, RFC 4226's recommended length

// The step that `unix_seconds` falls in (floor(T / 30)).
[[nodiscard]] std::int64_t totp_step_at(std::int64_t unix_seconds);

// The code of `step` for the raw secret `key`, `digits` long (6 for users;
// the RFC's test vectors are 8). Throws std::runtime_error if liboath fails.
[[nodiscard]] std::string totp_code(std::string_view key, std::int64_t step, unsigned digits = kTotpDigits);

// The step whose code `code` is, searched in the step of `unix_seconds` and
// one step either side (clock drift and typing time), skipping steps at or
// before `last_used_step` (a code works once, and no older one after it).
// nullopt when none matches or `code` is not 6 digits.
[[nodiscard]] std::optional<std::int64_t> match_totp(std::string_view key, std::string_view code,
                                                     std::int64_t unix_seconds, std::int64_t last_used_step);

// RFC 4648 base32 (upper case, no padding), the form authenticator apps and
// `oathtool -b` read (oath_base32_encode).
[[nodiscard]] std::string base32_encode(std::string_view bytes);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
// (Key Uri Format), label parts percent-encoded. Holds the secret: never log it.
[[nodiscard]] std::string otpauth_uri(std::string_view issuer, std::string_view account,
                                      std::string_view base32_secret);

}  // namespace orderly::auth
