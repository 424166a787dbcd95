#include "auth/admin_seed.hpp"

#include <stdexcept>

#include "auth/access.hpp"
#include "auth/password_policy.hpp"
#include "auth/sodium_primitives.hpp"

namespace orderly::auth {

boost::asio::awaitable<std::optional<std::string>> seed_admin(AuthService& service,
                                                              std::optional<std::string> configured) {
  const std::string email(kSeedAdminEmail);
  if (configured) {
    if (auto weakness = password_weakness(*configured, email)) {
      throw std::invalid_argument("ORDERLY_ADMIN_PASSWORD " + *weakness);
    }
  }
  if (co_await service.users().find_by_email(email)) co_return std::nullopt;

  const bool generated = !configured;
  // 18 random bytes: 24 base64url characters, 144 bits.
  auto password = generated ? base64url_encode(random_bytes(18)) : *configured;
  std::vector<std::string> roles{std::string(kCustomerRole), std::string(kAdminRole)};
  try {
    co_await service.sign_up(email, password, "Administrator", std::move(roles));
  } catch (const EmailTaken&) {
    co_return std::nullopt;  // another process seeded it a moment ago
  }
  if (!generated) co_return std::nullopt;
  co_return password;
}

}  // namespace orderly::auth
