#pragma once

#include <string>
#include <string_view>

namespace orderly::testing {

// Unpadded base64url (RFC 4648 section 5), as JWTs and JWKs use it (libsodium).
[[nodiscard]] std::string base64url_encode(std::string_view bytes);
// Empty when `text` is not valid base64url.
[[nodiscard]] std::string base64url_decode(std::string_view text);

}  // namespace orderly::testing
