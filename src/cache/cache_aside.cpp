#include "cache/cache_aside.hpp"

namespace orderly::cache {

boost::asio::awaitable<std::string> get_or_load(Cache& cache, SingleFlight& flights, std::string key,
                                                std::chrono::milliseconds ttl, SingleFlight::Loader load) {
  if (auto hit = co_await cache.get(key)) co_return std::move(*hit);
  co_return co_await flights.run(key, [&cache, &key, ttl, &load]() -> boost::asio::awaitable<std::string> {
    auto value = co_await load();
    co_await cache.set(key, value, ttl);
    co_return value;
  });
}

}  // namespace orderly::cache
