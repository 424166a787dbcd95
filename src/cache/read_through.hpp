#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "cache/cache.hpp"
#include "cache/single_flight.hpp"

namespace orderly::cache {

// Read-through: callers ask the cache, and the cache loads what it lacks
// from its source of truth (one load per key under a stampede). The policy
// (source, ttl) is fixed at construction, unlike get_or_load where each call
// brings its loader. Thread-safe.
class ReadThroughCache {
 public:
  using Source = std::function<boost::asio::awaitable<std::string>(std::string key)>;

  ReadThroughCache(Cache& cache, Source source, std::chrono::milliseconds ttl)
      : cache_(cache), source_(std::move(source)), ttl_(ttl) {}

  boost::asio::awaitable<std::string> get(std::string key);
  // Invalidation: the next get() reloads from the source.
  boost::asio::awaitable<bool> invalidate(std::string key) { return cache_.erase(std::move(key)); }

 private:
  Cache& cache_;
  Source source_;
  std::chrono::milliseconds ttl_;
  SingleFlight flights_;
};

// Write-through: `write` stores `value` in the source of truth, then the
// cache gets it too, so the next read is a hit with the new value. When the
// write fails the cache is not touched; when the cache update fails the key
// is erased (best effort), so a reader falls back to the source.
boost::asio::awaitable<void> write_through(Cache& cache, std::string key, std::string value,
                                           std::chrono::milliseconds ttl,
                                           std::function<boost::asio::awaitable<void>(const std::string&)> write);

}  // namespace orderly::cache
