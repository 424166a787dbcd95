#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace orderly::resilience {

// Per-key state for the in-process rate limiters, bounded in memory: keys are
// spread over shards by hash, each shard has its own mutex and holds at most
// `keys_per_shard` keys. To admit a new key into a full shard it evicts the
// least recently used key that is not locked (a key whose next request would
// be refused): a locked key met on the way gets a second chance (moved to the
// front), so traffic on other keys cannot flush a lockout. Only when the
// kEvictionScan least recently used keys are all locked is the oldest one
// evicted anyway, so a table full of locks never refuses everyone else; to
// lock that many keys an attacker must first pass the per-address limits.
// A flood of distinct keys (spoofed addresses) therefore costs at most
// shards * keys_per_shard entries; the price is that an evicted key starts
// again with a fresh quota. Thread-safe.
template <class State>
class KeyedState {
 public:
  KeyedState(std::size_t shards, std::size_t keys_per_shard)
      : keys_per_shard_(keys_per_shard == 0 ? 1 : keys_per_shard) {
    shards_.reserve(shards == 0 ? 1 : shards);
    for (std::size_t i = 0; i < (shards == 0 ? 1 : shards); ++i) shards_.push_back(std::make_unique<Shard>());
  }

  // Least recently used keys looked at to find one that is not locked.
  static constexpr std::size_t kEvictionScan = 64;

  // Runs `update(State&, bool fresh)` on `key`'s state under its shard's lock
  // and returns what it returns. `fresh` is true when the key was not held
  // (first use, or evicted since); the state is then value-initialised.
  // `is_locked(const State&)` tells a key that must not be evicted while
  // another may be. Returns also whether admitting the key evicted another one.
  template <class Update, class IsLocked>
  auto with(std::string&& key, Update&& update, IsLocked&& is_locked)
      -> std::pair<decltype(update(std::declval<State&>(), true)), bool> {
    Shard& shard = *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
    const std::lock_guard lock(shard.mutex);
    if (const auto found = shard.index.find(key); found != shard.index.end()) {
      shard.entries.splice(shard.entries.begin(), shard.entries, found->second);
      return {update(found->second->state, false), false};
    }
    bool evicted = false;
    if (shard.entries.size() >= keys_per_shard_) {
      evict_one(shard, is_locked);
      evicted = true;
    }
    shard.entries.push_front(Entry{std::move(key), State{}});
    shard.index.emplace(shard.entries.front().key, shard.entries.begin());
    return {update(shard.entries.front().state, true), evicted};
  }

  // Keys held now, over every shard (takes every shard's lock in turn).
  [[nodiscard]] std::size_t size() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
      const std::lock_guard lock(shard->mutex);
      total += shard->entries.size();
    }
    return total;
  }

 private:
  struct Entry {
    std::string key;
    State state;
  };
  using List = std::list<Entry>;  // front: most recently used
  struct Shard {
    mutable std::mutex mutex;
    List entries;
    std::unordered_map<std::string_view, typename List::iterator> index;  // views into the entries' keys
  };

  template <class IsLocked>
  static void evict_one(Shard& shard, IsLocked& is_locked) {
    const std::size_t scan = std::min(kEvictionScan, shard.entries.size());
    for (std::size_t looked = 0; looked < scan; ++looked) {
      auto oldest = std::prev(shard.entries.end());
      if (!is_locked(std::as_const(oldest->state))) {
        shard.index.erase(oldest->key);
        shard.entries.erase(oldest);
        return;
      }
      shard.entries.splice(shard.entries.begin(), shard.entries, oldest);  // a second chance
    }
    // Every key looked at is locked: the oldest of them goes (it is now just
    // behind the unscanned part, at position `scan` from the front).
    auto oldest = std::next(shard.entries.begin(), static_cast<std::ptrdiff_t>(scan - 1));
    shard.index.erase(oldest->key);
    shard.entries.erase(oldest);
  }

  std::size_t keys_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

// How many keys an in-process limiter remembers.
struct LocalLimiterOptions {
  std::size_t shards = 16;              // independent locks
  std::size_t keys_per_shard = 4096;    // least recently used key evicted beyond this
};

}  // namespace orderly::resilience
