#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cache/cache.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"

namespace orderly::cache {

struct LocalCacheOptions {
  std::size_t max_bytes = 64 * 1024 * 1024;  // keys + values + per-entry overhead
  std::size_t shards = 16;                   // independent locks; a power of two is not required
};

// The embedded-mode cache: an in-process LRU with time to live and a bound in
// bytes, split into shards (each its own lock, LRU list and share of the
// bound) so event loops rarely contend. Expired entries are dropped when read
// or when eviction reaches them. Metrics, labelled cache=<name>:
// orderly_cache_hits_total, orderly_cache_misses_total,
// orderly_cache_evictions_total, orderly_cache_bytes.
class LocalCache final : public Cache {
 public:
  LocalCache(LocalCacheOptions options, const core::Clock& clock, core::metrics::Registry& metrics,
             const std::string& name = "local");
  ~LocalCache() override;
  LocalCache(const LocalCache&) = delete;
  LocalCache& operator=(const LocalCache&) = delete;

  boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
  boost::asio::awaitable<void> set(std::string key, std::string value, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> erase(std::string key) override;

  // The same operations, synchronous (they never block on I/O).
  [[nodiscard]] std::optional<std::string> lookup(std::string_view key);
  // An entry larger than a shard's share of max_bytes is not stored.
  void store(std::string key, std::string value, std::chrono::milliseconds ttl);
  bool remove(std::string_view key);

  [[nodiscard]] std::size_t bytes() const;

  // What an entry is charged beyond its key and value (list node, index slot).
  static constexpr std::size_t kEntryOverhead = 96;

 private:
  struct Shard;
  Shard& shard_for(std::string_view key);

  const core::Clock& clock_;
  std::size_t shard_budget_;
  std::vector<std::unique_ptr<Shard>> shards_;
  core::metrics::Counter& hits_;
  core::metrics::Counter& misses_;
  core::metrics::Counter& evictions_;
  core::metrics::Gauge& bytes_gauge_;
};

}  // namespace orderly::cache
