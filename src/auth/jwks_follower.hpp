#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "auth/verification_key.hpp"
#include "rpc/service_channel.hpp"

namespace orderly::auth {

// The keys that verify tokens in a service without auth's key ring: auth's
// verification keys (GET /internal/v1/jwks through `auth`), cached. find()
// only reads the cache (KeySource's contract). refresh() fetches again and
// keeps the keys already known when it fails, so a restarting auth does not
// lock users out. Call it at start and every so often (a rotated key is
// trusted from the next refresh). Thread-safe.
class JwksFollower final : public KeySource {
 public:
  explicit JwksFollower(rpc::ServiceChannel& auth) : auth_(auth) {}

  [[nodiscard]] std::optional<VerificationKey> find(std::string_view kid) const override;
  // True when the key set was fetched and replaced.
  boost::asio::awaitable<bool> refresh();
  [[nodiscard]] std::size_t key_count() const;

 private:
  rpc::ServiceChannel& auth_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::unordered_map<std::string, VerificationKey>> keys_;
};

}  // namespace orderly::auth
