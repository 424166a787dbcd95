#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "rpc/service_channel.hpp"

namespace orderly::auth {

// The service credentials of one process (rpc::CredentialSource): asks
// auth's internal API for a token per audience with the internal secret
// (POST /internal/v1/service-tokens) and keeps it until a minute before it
// expires. `auth` is a channel to auth without credentials (that route is
// open); it and `clock` must outlive the source. Thread-safe.
class ServiceTokenSource final : public rpc::CredentialSource {
 public:
  ServiceTokenSource(rpc::ServiceChannel& auth, std::string caller, std::string secret, const core::Clock& clock)
      : auth_(auth), caller_(std::move(caller)), secret_(std::move(secret)), clock_(clock) {}

  // Throws core::ServiceUnavailable when auth cannot issue one.
  boost::asio::awaitable<std::string> token(std::string audience) override;

 private:
  struct Cached {
    std::string token;
    std::chrono::steady_clock::time_point renew_at;
  };

  rpc::ServiceChannel& auth_;
  std::string caller_;
  std::string secret_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Cached> cache_;
};

}  // namespace orderly::auth
