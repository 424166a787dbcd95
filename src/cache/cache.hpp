#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace orderly::cache {

// A key-value cache with per-entry time to live. Asynchronous so that the
// Redis implementation fits the same interface; the in-process one completes
// without suspending. Implementations are safe to call from every event loop.
// A cache may forget any entry at any time (eviction, restart): callers treat
// a miss as normal and reload from the store.
class Cache {
 public:
  virtual ~Cache() = default;

  [[nodiscard]] virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
  // `ttl` must be positive; the entry is gone (a miss) once it has passed.
  virtual boost::asio::awaitable<void> set(std::string key, std::string value, std::chrono::milliseconds ttl) = 0;
  // Invalidation; true when an entry was there.
  virtual boost::asio::awaitable<bool> erase(std::string key) = 0;
};

}  // namespace orderly::cache
