#include "cache/local_cache.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"

namespace orderly::cache {
namespace {

using namespace std::chrono_literals;

class LocalCacheTest : public ::testing::Test {
 protected:
  LocalCache make(std::size_t max_bytes, std::size_t shards = 1) {
    return LocalCache({.max_bytes = max_bytes, .shards = shards}, clock_, metrics_);
  }
  double metric(const std::string& name) {
    const auto text = metrics_.render();
    const auto needle = name + "{cache=\"local\"} ";
    const auto line = text.find(needle);
    if (line == std::string::npos) return -1;
    return std::stod(text.substr(line + needle.size()));
  }

  core::ManualClock clock_;
  core::metrics::Registry metrics_;
};

TEST_F(LocalCacheTest, StoresAndReadsBack) {
  auto cache = make(1 << 20);
  cache.store("a", "1", 10s);
  EXPECT_EQ(cache.lookup("a"), "1");
  EXPECT_EQ(cache.lookup("b"), std::nullopt);
  EXPECT_EQ(metric("orderly_cache_hits_total"), 1);
  EXPECT_EQ(metric("orderly_cache_misses_total"), 1);
}

TEST_F(LocalCacheTest, EntriesExpireAfterTheirTtl) {
  auto cache = make(1 << 20);
  cache.store("a", "1", 10s);
  clock_.advance(9s);
  EXPECT_EQ(cache.lookup("a"), "1");
  clock_.advance(1s);
  EXPECT_EQ(cache.lookup("a"), std::nullopt);
  EXPECT_EQ(cache.bytes(), 0U) << "an expired entry is dropped when read";
}

TEST_F(LocalCacheTest, EvictsLeastRecentlyUsedToStayWithinItsBound) {
  const std::size_t entry = 1 + 100 + LocalCache::kEntryOverhead;
  auto cache = make(3 * entry);
  cache.store("a", std::string(100, 'a'), 1h);
  cache.store("b", std::string(100, 'b'), 1h);
  cache.store("c", std::string(100, 'c'), 1h);
  ASSERT_TRUE(cache.lookup("a"));  // a is now the most recent; b the coldest
  cache.store("d", std::string(100, 'd'), 1h);
  EXPECT_TRUE(cache.lookup("a"));
  EXPECT_FALSE(cache.lookup("b"));
  EXPECT_TRUE(cache.lookup("c"));
  EXPECT_TRUE(cache.lookup("d"));
  EXPECT_LE(cache.bytes(), 3 * entry);
  EXPECT_EQ(metric("orderly_cache_evictions_total"), 1);
  EXPECT_EQ(metric("orderly_cache_bytes"), static_cast<double>(cache.bytes()));
}

TEST_F(LocalCacheTest, ReplacingAKeyDoesNotDoubleCount) {
  auto cache = make(1 << 20);
  cache.store("a", "short", 1h);
  cache.store("a", "a longer value", 1h);
  EXPECT_EQ(cache.lookup("a"), "a longer value");
  EXPECT_EQ(cache.bytes(), 1 + 14 + LocalCache::kEntryOverhead);
}

TEST_F(LocalCacheTest, OversizedEntryIsNotStoredAndEvictsNothing) {
  auto cache = make(1024);
  cache.store("small", "x", 1h);
  cache.store("huge", std::string(4096, 'h'), 1h);
  EXPECT_FALSE(cache.lookup("huge"));
  EXPECT_TRUE(cache.lookup("small"));
}

TEST_F(LocalCacheTest, RemoveInvalidates) {
  auto cache = make(1 << 20);
  cache.store("a", "1", 1h);
  EXPECT_TRUE(cache.remove("a"));
  EXPECT_FALSE(cache.remove("a"));
  EXPECT_FALSE(cache.lookup("a"));
  EXPECT_EQ(cache.bytes(), 0U);
}

TEST_F(LocalCacheTest, RejectsNonPositiveTtl) {
  auto cache = make(1 << 20);
  EXPECT_THROW(cache.store("a", "1", 0ms), std::invalid_argument);
}

TEST_F(LocalCacheTest, ShardsShareTheBound) {
  auto cache = make(16 * 1024, 4);
  for (int i = 0; i < 1000; ++i) cache.store("key" + std::to_string(i), std::string(64, 'v'), 1h);
  EXPECT_LE(cache.bytes(), 16U * 1024);
  EXPECT_GT(cache.bytes(), 8U * 1024) << "the shards should fill most of the bound";
}

}  // namespace
}  // namespace orderly::cache
