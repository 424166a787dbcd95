#include "app/shared_redis.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace orderly::app {

cache::RedisCacheOptions redis_options(const core::HostPort& address) {
  cache::RedisCacheOptions options;
  options.address = address;
  if (const char* password = std::getenv("ORDERLY_REDIS_PASSWORD"); password != nullptr) options.password = password;
  return options;
}

cache::RedisCacheOptions sentinel_redis_options(std::vector<core::HostPort> sentinels, std::string master,
                                                std::string user) {
  auto options = redis_options(core::HostPort{"127.0.0.1", 6379});  // the address is unused with Sentinels
  options.username = std::move(user);
  options.sentinels = std::move(sentinels);
  options.master_name = std::move(master);
  if (const char* password = std::getenv("ORDERLY_REDIS_SENTINEL_PASSWORD"); password != nullptr) {
    options.sentinel_password = password;
  }
  return options;
}

std::unique_ptr<SharedRedis> SharedRedis::from_config(const core::Config& config, const core::Clock& clock) {
  const auto& cache = config.cache;
  if (!cache.redis_sentinels.empty()) {
    // High availability: the primary is whichever one the Sentinels name.
    return std::make_unique<SharedRedis>(
        sentinel_redis_options(cache.redis_sentinels, cache.redis_master, cache.redis_user), clock);
  }
  if (cache.redis.empty()) return nullptr;
  auto options = redis_options(core::HostPort::parse(cache.redis));
  options.username = cache.redis_user;
  return std::make_unique<SharedRedis>(std::move(options), clock);
}

SharedRedis::SharedRedis(cache::RedisCacheOptions options, const core::Clock& clock)
    : options_(std::move(options)), client_(options_, clock) {}

net::HealthCheck SharedRedis::health_check() {
  return [this]() -> boost::asio::awaitable<net::HealthStatus> {
    try {
      std::vector<std::string> ping{"PING"};
      static_cast<void>(co_await client_.execute(std::move(ping)));  // an error reply (NOAUTH) throws too
      co_return net::HealthStatus{};
    } catch (const cache::RedisUnavailable&) {
      co_return net::HealthStatus{false, "Redis unreachable or refusing (see the log)"};
    }
  };
}

}  // namespace orderly::app
