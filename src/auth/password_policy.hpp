#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orderly::auth {

inline constexpr std::size_t kMinPasswordLength = 10;   // characters (code points)
inline constexpr std::size_t kMaxPasswordLength = 128;  // bounds the hashing input too

// Why `password` is not acceptable for the account `email`, or nullopt when
// it is: 10 to 128 characters, not one of the most common passwords (a small
// bundled list, compared case-insensitively), not the email itself. The
// reason never repeats the password.
[[nodiscard]] std::optional<std::string> password_weakness(std::string_view password, std::string_view email);

// True for a password of the bundled common list (case-insensitive).
[[nodiscard]] bool is_common_password(std::string_view password);

}  // namespace orderly::auth
