#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "store/store.hpp"

namespace orderly::orders {

// Who to address an order's emails to.
struct UserContact {
  std::string email;
  std::string name;
};

// The orders module's view of the users of auth. Thread-safe.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // nullopt when there is no such user.
  virtual boost::asio::awaitable<std::optional<UserContact>> contact(std::string user_id) = 0;
};

// Reads auth's `users (id, email, name, ...)` table from the shared store.
class StoreUserDirectory final : public UserDirectory {
 public:
  explicit StoreUserDirectory(store::Store& store) : store_(store) {}
  boost::asio::awaitable<std::optional<UserContact>> contact(std::string user_id) override;

 private:
  store::Store& store_;
};

}  // namespace orderly::orders
