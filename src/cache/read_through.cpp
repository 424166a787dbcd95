#include "cache/read_through.hpp"

#include "cache/cache_aside.hpp"

namespace orderly::cache {

boost::asio::awaitable<std::string> ReadThroughCache::get(std::string key) {
  auto load = [this, key]() { return source_(key); };
  co_return co_await get_or_load(cache_, flights_, key, ttl_, std::move(load));
}

boost::asio::awaitable<void> write_through(Cache& cache, std::string key, std::string value,
                                           std::chrono::milliseconds ttl,
                                           std::function<boost::asio::awaitable<void>(const std::string&)> write) {
  co_await write(value);
  bool cached = false;
  try {
    co_await cache.set(key, value, ttl);
    cached = true;
  } catch (const std::exception&) {
    // The source has the new value; a cache that may still hold the old one
    // must not be trusted: drop the key below.
  }
  if (!cached) {
    try {
      co_await cache.erase(key);
    } catch (const std::exception&) {
      // Cache unreachable: its entry expires within its ttl.
    }
  }
}

}  // namespace orderly::cache
