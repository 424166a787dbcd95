#pragma once

#include "auth/api/user_directory.hpp"
#include "rpc/service_channel.hpp"

namespace orderly::auth {

// UserDirectory over auth's internal API
// (GET /internal/v1/users/{user_id}/contact and …/token-version), for a service in another
// process. A read, so the channel retries it; an answer it cannot read is
// core::ServiceUnavailable. `channel` must outlive the client.
class HttpUserDirectory final : public UserDirectory {
 public:
  explicit HttpUserDirectory(rpc::ServiceChannel& channel) : channel_(channel) {}

  boost::asio::awaitable<std::optional<UserContact>> contact(std::string user_id, core::CallContext context) override;
  boost::asio::awaitable<std::optional<std::int64_t>> token_version(std::string user_id,
                                                                    core::CallContext context) override;

 private:
  rpc::ServiceChannel& channel_;
};

}  // namespace orderly::auth
