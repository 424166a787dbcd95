#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "auth/verification_key.hpp"
#include "core/clock.hpp"
#include "gateway/gateway_config.hpp"

namespace orderly::gateway {

class Gateway;

// The keys that verify access tokens at the edge: the auth service's JWKS
// (GET auth.jwks_path on the auth.jwks_upstream pool, through that pool's
// HTTP client and balancer), parsed with auth::parse_jwks and cached.
//
// find() only reads the cache (KeySource's contract: no I/O). A token with a
// kid the cache lacks (the auth service rotated its key) makes the caller
// await refetch_for_unknown_kid(), which fetches again at most once per
// min_refetch_interval however many such tokens arrive, so forged kids
// cannot turn the gateway into a load generator against auth. The control
// loop refreshes routinely every refresh_interval. A failed fetch keeps the
// keys already known. Thread-safe.
class JwksKeySource final : public auth::KeySource {
 public:
  JwksKeySource(Gateway& gateway, const core::Clock& clock);

  [[nodiscard]] std::optional<auth::VerificationKey> find(std::string_view kid) const override;

  // Fetches now unless a fetch started less than min_refetch_interval ago;
  // true when the key set was replaced.
  boost::asio::awaitable<bool> refetch_for_unknown_kid();
  // Fetches now (start-up and the routine refresh).
  boost::asio::awaitable<bool> fetch();

  [[nodiscard]] std::size_t key_count() const;

 private:
  Gateway& gateway_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::unordered_map<std::string, auth::VerificationKey>> keys_;
  std::atomic<std::int64_t> last_fetch_ns_{0};
};

}  // namespace orderly::gateway
