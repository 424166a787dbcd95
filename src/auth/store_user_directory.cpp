#include "auth/store_user_directory.hpp"

namespace orderly::auth {
namespace {
constexpr store::Statement kContact{"auth.user_contact", "SELECT email, name FROM users WHERE id = $1"};
}  // namespace

boost::asio::awaitable<std::optional<UserContact>> StoreUserDirectory::contact(std::string user_id,
                                                                               core::CallContext) {
  const auto found = co_await store_.query(kContact, store::params(user_id));
  if (found.empty()) co_return std::nullopt;
  co_return UserContact{found.first().text("email"), found.first().text("name")};
}

}  // namespace orderly::auth
