#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/user.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::auth {

class EmailTaken : public std::runtime_error {
 public:
  EmailTaken() : std::runtime_error("email taken") {}
};

struct UserWithHash {
  User user;
  std::string password_hash;
};

// The users table. Thread-safe.
class UserStore {
 public:
  UserStore(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  // Throws EmailTaken when the (normalised) email exists.
  boost::asio::awaitable<void> create(User user, std::string password_hash);
  boost::asio::awaitable<std::optional<UserWithHash>> find_by_email(std::string email);
  boost::asio::awaitable<std::optional<User>> find(std::string id);
  boost::asio::awaitable<std::optional<UserWithHash>> find_with_hash(std::string id);
  // Also raises the user's token version. nullopt when there is no such user.
  boost::asio::awaitable<std::optional<User>> set_roles(std::string id, std::vector<std::string> roles);
  // The same password, rehashed with current parameters (token version kept).
  boost::asio::awaitable<void> set_password_hash(std::string id, std::string password_hash);
  // A new password: also raises the token version.
  boost::asio::awaitable<void> replace_password_hash(std::string id, std::string password_hash);

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

}  // namespace orderly::auth
