#include "auth/store_user_directory.hpp"

namespace orderly::auth {
namespace {
constexpr store::Statement kContact{"auth.user_contact",
                                    "SELECT email, name, email_verified_at_ms FROM users WHERE id = $1"};
constexpr store::Statement kTokenVersion{"auth.user_token_version", "SELECT token_version FROM users WHERE id = $1"};
}  // namespace

boost::asio::awaitable<std::optional<UserContact>> StoreUserDirectory::contact(std::string user_id,
                                                                               core::CallContext) {
  const auto found = co_await store_.query(kContact, store::params(user_id));
  if (found.empty()) co_return std::nullopt;
  const auto& row = found.first();
  co_return UserContact{row.text("email"), row.text("name"), !row.is_null("email_verified_at_ms")};
}

boost::asio::awaitable<std::optional<std::int64_t>> StoreUserDirectory::token_version(std::string user_id,
                                                                                     core::CallContext) {
  // The primary: a version raised a moment ago must be seen.
  const auto found = co_await store_.query(kTokenVersion, store::params(user_id),
                                           store::ReadOptions{.allow_replica = false});
  if (found.empty()) co_return std::nullopt;
  co_return found.first().int64("token_version");
}

}  // namespace orderly::auth
