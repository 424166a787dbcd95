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

std::unique_ptr<SharedRedis> SharedRedis::from_config(const core::Config& config, const core::Clock& clock) {
  if (config.cache.redis.empty()) return nullptr;
  return std::make_unique<SharedRedis>(redis_options(core::HostPort::parse(config.cache.redis)), clock);
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
