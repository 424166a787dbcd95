#pragma once

#include "auth/api/user_directory.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// auth::UserDirectory in-process: reads auth's own users table. What auth's
// internal route answers with, and what embedded mode hands to orders.
class StoreUserDirectory final : public UserDirectory {
 public:
  explicit StoreUserDirectory(store::Store& store) : store_(store) {}
  boost::asio::awaitable<std::optional<UserContact>> contact(std::string user_id,
                                                             core::CallContext context) override;
  boost::asio::awaitable<std::optional<std::int64_t>> token_version(std::string user_id,
                                                                    core::CallContext context) override;

 private:
  store::Store& store_;
};

}  // namespace orderly::auth
