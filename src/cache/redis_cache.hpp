#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "cache/cache.hpp"
#include "cache/redis_options.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"

namespace orderly::cache {

// Redis could not answer: unreachable, refusing, too slow, or it replied with
// an error. A cache is an optimisation, so callers usually treat this like a
// miss (read from the store) and carry on.
class CacheUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};


// The scale-out cache: entries live in Redis (GET, SET PX, DEL), shared by
// every instance. Keys and values are binary-safe.
//
// Thread-safety: safe to call from coroutines on any number of event loops at
// once, each loop an io_context run by one thread at a time (Orderly's model).
// Each loop gets its own small pool of connections, opened on first use and
// driven by that loop's epoll through hiredis's asynchronous API; a command
// never leaves the caller's loop and resumes the caller on its own executor.
//
// When Redis is down or slow: every command either completes or throws
// CacheUnavailable within command_timeout (a connection refused fails at
// once). A timed-out command also drops its connection (the commands pipelined
// behind it fail with it); a loop reconnects at most once per
// reconnect_backoff, doubling while Redis stays down, and fails commands at
// once in between. Nothing blocks a loop and nothing is queued without bound in
// time. Construction does not connect: the cache can be built while Redis is
// down. A host name is resolved once, at construction (std::invalid_argument if
// it does not resolve), because hiredis would resolve it with a blocking call
// on the event loop at every reconnect.
//
// Lifetime: destroy the cache after the coroutines that use it have finished.
// The io_contexts it ran on may die before or after it (each loop's pool lives
// in an Asio service of that io_context and closes with it; a cache that dies
// first has its pools closed on their own loops), but not at the same moment.
// An open connection keeps its loop's io_context::run() busy, like any socket.
//
// Metrics, labelled cache=<name> (the families LocalCache uses, so they merge):
// orderly_cache_hits_total, orderly_cache_misses_total, and
// orderly_cache_errors_total (commands that threw CacheUnavailable; a failed
// read counts as an error, not as a miss).
class RedisCache final : public Cache {
 public:
  RedisCache(RedisCacheOptions options, const core::Clock& clock, core::metrics::Registry& metrics,
             const std::string& name = "redis");
  ~RedisCache() override;
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  // GET; std::nullopt when the key is absent or expired. Throws CacheUnavailable.
  boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
  // SET key value PX ttl. Throws std::invalid_argument when ttl <= 0, CacheUnavailable.
  boost::asio::awaitable<void> set(std::string key, std::string value, std::chrono::milliseconds ttl) override;
  // DEL; true when the key existed. Throws CacheUnavailable.
  boost::asio::awaitable<bool> erase(std::string key) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::cache
