#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cache/redis_client.hpp"
#include "cache/redis_options.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "net/health.hpp"

namespace orderly::app {

// How to reach a Redis at `address`, with the password from
// ORDERLY_REDIS_PASSWORD (a secret, so not a setting; empty or unset: none).
[[nodiscard]] cache::RedisCacheOptions redis_options(const core::HostPort& address);
// How to reach the primary that `sentinels` name for `master` (high
// availability), as the ACL user `user` (empty: the default user); the
// Sentinels' own password from ORDERLY_REDIS_SENTINEL_PASSWORD.
[[nodiscard]] cache::RedisCacheOptions sentinel_redis_options(std::vector<core::HostPort> sentinels, std::string master,
                                                              std::string user);

// The Redis a scale-out process shares with the other instances of its
// service (cache.redis): the product cache and the login limits live there,
// so every catalog instance sees one cache and every auth instance counts
// the same attempts. Embedded mode has none (cache.redis empty).
class SharedRedis {
 public:
  // nullptr when cache.redis and cache.redis_sentinels are empty (with
  // Sentinels, the primary they name; cache.redis_user is the ACL user).
  // Throws std::invalid_argument for an
  // address that does not resolve. Does not connect (Redis may start later).
  [[nodiscard]] static std::unique_ptr<SharedRedis> from_config(const core::Config& config, const core::Clock& clock);

  SharedRedis(cache::RedisCacheOptions options, const core::Clock& clock);

  [[nodiscard]] const cache::RedisCacheOptions& options() const { return options_; }
  [[nodiscard]] cache::RedisClient& client() { return client_; }
  // For /readyz: "redis" is down while a PING gets no PONG.
  [[nodiscard]] net::HealthCheck health_check();

 private:
  cache::RedisCacheOptions options_;
  cache::RedisClient client_;
};

}  // namespace orderly::app
