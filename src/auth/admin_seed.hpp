#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "auth/auth_service.hpp"

namespace orderly::auth {

inline constexpr std::string_view kSeedAdminEmail = "admin@orderly.local";

// Embedded mode's first administrator: creates admin@orderly.local with the
// roles customer and admin unless it exists (an existing account is never
// changed). The password is `configured` (ORDERLY_ADMIN_PASSWORD), which
// must pass the password policy (std::invalid_argument otherwise), or a
// random one. Returns the password when one was generated, for the caller
// to show once; nullopt when nothing was created or the password was given.
boost::asio::awaitable<std::optional<std::string>> seed_admin(AuthService& service,
                                                              std::optional<std::string> configured);

}  // namespace orderly::auth
