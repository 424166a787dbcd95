#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/call_context.hpp"

namespace orderly::auth {

// Who to address a user's emails to.
struct UserContact {
  std::string email;
  std::string name;
  bool email_verified = false;  // the user opened the verification link mailed to `email`
};

// What the auth service tells other services about a user. Throws
// core::ServiceUnavailable when auth cannot answer (remote client). Thread-safe.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // nullopt when there is no such user.
  virtual boost::asio::awaitable<std::optional<UserContact>> contact(std::string user_id,
                                                                     core::CallContext context) = 0;
  // The user's token version now (raised by a role or password change), for
  // the check on admin routes; nullopt when there is no such user.
  virtual boost::asio::awaitable<std::optional<std::int64_t>> token_version(std::string user_id,
                                                                            core::CallContext context) = 0;
};

}  // namespace orderly::auth
