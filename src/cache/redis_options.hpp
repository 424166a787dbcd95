#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace orderly::cache {

// How a Redis client (RedisCache, lock::RedisLock) connects.
struct RedisCacheOptions {
  core::HostPort address{"127.0.0.1", 6379};
  std::size_t connections_per_loop = 2;                   // opened lazily on each event loop that uses the cache
  std::chrono::milliseconds command_timeout{1000};        // per command, from issue to reply
  std::string key_prefix = "orderly:";                    // prepended to every key: one Redis can serve several apps
  std::chrono::milliseconds reconnect_backoff{100};       // least time between reconnects on one loop
  std::chrono::milliseconds reconnect_backoff_max{2000};  // the back-off doubles up to this while Redis stays down
  // Sent with AUTH as each connection's first command; empty: none (a Redis
  // without requirepass). A secret: never logged, never in an error.
  std::string password{};
  std::string username{};  // an ACL user (Redis 6+); empty: the default user
  // High availability: when not empty, `address` is unused and the primary is
  // the one these Sentinels name for `master_name`; the client asks them
  // again when a command meets a connection error or a READONLY reply.
  std::vector<core::HostPort> sentinels{};
  std::string master_name{};
  std::string sentinel_password{};  // a secret, like `password`

};

}  // namespace orderly::cache
