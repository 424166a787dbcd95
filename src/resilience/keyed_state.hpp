#pragma once

#include <cstddef>
#include <functional>
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
// `keys_per_shard` keys, evicting the least recently used one to admit a new
// key. A flood of distinct keys (spoofed addresses) therefore costs at most
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

  // Runs `update(State&, bool fresh)` on `key`'s state under its shard's lock
  // and returns what it returns. `fresh` is true when the key was not held
  // (first use, or evicted since); the state is then value-initialised.
  // Returns also whether admitting the key evicted another one.
  template <class Update>
  auto with(std::string&& key, Update&& update) -> std::pair<decltype(update(std::declval<State&>(), true)), bool> {
    Shard& shard = *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
    const std::lock_guard lock(shard.mutex);
    if (const auto found = shard.index.find(key); found != shard.index.end()) {
      shard.entries.splice(shard.entries.begin(), shard.entries, found->second);
      return {update(found->second->state, false), false};
    }
    bool evicted = false;
    if (shard.entries.size() >= keys_per_shard_) {
      shard.index.erase(shard.entries.back().key);
      shard.entries.pop_back();
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

  std::size_t keys_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

// How many keys an in-process limiter remembers.
struct LocalLimiterOptions {
  std::size_t shards = 16;              // independent locks
  std::size_t keys_per_shard = 4096;    // least recently used key evicted beyond this
};

}  // namespace orderly::resilience
