#include "cache/local_cache.hpp"

#include <algorithm>
#include <stdexcept>

namespace orderly::cache {

struct LocalCache::Shard {
  struct Entry {
    std::string key;
    std::string value;
    std::chrono::steady_clock::time_point expires;
    [[nodiscard]] std::size_t charge() const { return key.size() + value.size() + kEntryOverhead; }
  };
  using List = std::list<Entry>;  // front: most recently used

  std::mutex mutex;
  List entries;
  std::unordered_map<std::string_view, List::iterator> index;  // views into the entries' keys
  std::size_t bytes = 0;

  // Caller holds the mutex.
  void unlink(List::iterator entry) {
    bytes -= entry->charge();
    index.erase(entry->key);
    entries.erase(entry);
  }
};

LocalCache::LocalCache(LocalCacheOptions options, const core::Clock& clock, core::metrics::Registry& metrics,
                       const std::string& name)
    : clock_(clock),
      shard_budget_(options.max_bytes / std::max<std::size_t>(1, options.shards)),
      hits_(metrics.counter("orderly_cache_hits_total", "Cache reads that found a live entry.", {"cache"})
                .with_labels({name})),
      misses_(
          metrics
              .counter("orderly_cache_misses_total", "Cache reads that found nothing or an expired entry.", {"cache"})
              .with_labels({name})),
      evictions_(metrics
                     .counter("orderly_cache_evictions_total",
                              "Entries dropped to stay within the size bound (not counting expiry).", {"cache"})
                     .with_labels({name})),
      bytes_gauge_(
          metrics.gauge("orderly_cache_bytes", "Bytes charged to cached entries.", {"cache"}).with_labels({name})) {
  if (options.shards == 0) throw std::invalid_argument("LocalCache needs at least one shard");
  for (std::size_t i = 0; i < options.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

LocalCache::~LocalCache() = default;

LocalCache::Shard& LocalCache::shard_for(std::string_view key) {
  return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

std::optional<std::string> LocalCache::lookup(std::string_view key) {
  auto& shard = shard_for(key);
  const std::lock_guard lock(shard.mutex);
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) {
    misses_.inc();
    return std::nullopt;
  }
  const auto entry = found->second;
  if (entry->expires <= clock_.monotonic()) {
    bytes_gauge_.dec(static_cast<double>(entry->charge()));
    shard.unlink(entry);
    misses_.inc();
    return std::nullopt;
  }
  shard.entries.splice(shard.entries.begin(), shard.entries, entry);
  hits_.inc();
  return entry->value;
}

void LocalCache::store(std::string key, std::string value, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) throw std::invalid_argument("cache ttl must be positive");
  const auto charge = key.size() + value.size() + kEntryOverhead;
  auto& shard = shard_for(key);
  const std::lock_guard lock(shard.mutex);
  if (const auto found = shard.index.find(key); found != shard.index.end()) {
    bytes_gauge_.dec(static_cast<double>(found->second->charge()));
    shard.unlink(found->second);
  }
  if (charge > shard_budget_) return;  // would evict everything and still not fit

  // Evict from the cold end until the new entry fits.
  std::size_t evicted = 0;
  double freed = 0;
  while (shard.bytes + charge > shard_budget_ && !shard.entries.empty()) {
    const auto coldest = std::prev(shard.entries.end());
    freed += static_cast<double>(coldest->charge());
    shard.unlink(coldest);
    ++evicted;
  }
  shard.entries.push_front({std::move(key), std::move(value), clock_.monotonic() + ttl});
  shard.index.emplace(shard.entries.front().key, shard.entries.begin());
  shard.bytes += charge;
  if (evicted > 0) evictions_.inc(static_cast<double>(evicted));
  bytes_gauge_.inc(static_cast<double>(charge) - freed);
}

bool LocalCache::remove(std::string_view key) {
  auto& shard = shard_for(key);
  const std::lock_guard lock(shard.mutex);
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) return false;
  bytes_gauge_.dec(static_cast<double>(found->second->charge()));
  shard.unlink(found->second);
  return true;
}

std::size_t LocalCache::bytes() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    const std::lock_guard lock(shard->mutex);
    total += shard->bytes;
  }
  return total;
}

boost::asio::awaitable<std::optional<std::string>> LocalCache::get(std::string key) {
  co_return lookup(key);
}

boost::asio::awaitable<void> LocalCache::set(std::string key, std::string value, std::chrono::milliseconds ttl) {
  store(std::move(key), std::move(value), ttl);
  co_return;
}

boost::asio::awaitable<bool> LocalCache::erase(std::string key) {
  co_return remove(key);
}

}  // namespace orderly::cache
