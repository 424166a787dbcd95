#include "cache/read_through.hpp"

#include <gtest/gtest.h>

#include "cache/local_cache.hpp"
#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"

namespace orderly::cache {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace asio = boost::asio;

class ReadThroughTest : public ::testing::Test {
 protected:
  core::ManualClock clock_;
  core::metrics::Registry metrics_;
  LocalCache cache_{{.max_bytes = 1 << 20, .shards = 2}, clock_, metrics_};
  std::map<std::string, std::string> source_{{"p1", "widget v1"}};
  int loads_ = 0;
  ReadThroughCache products_{cache_,
                             [this](std::string key) -> asio::awaitable<std::string> {
                               ++loads_;
                               co_return source_.at(key);
                             },
                             1min};
};

TEST_F(ReadThroughTest, LoadsOnceThenServesFromTheCache) {
  EXPECT_EQ(run_sync(products_.get("p1")), "widget v1");
  EXPECT_EQ(run_sync(products_.get("p1")), "widget v1");
  EXPECT_EQ(loads_, 1);
}

TEST_F(ReadThroughTest, InvalidationAndExpiryReload) {
  (void)run_sync(products_.get("p1"));
  source_["p1"] = "widget v2";
  EXPECT_EQ(run_sync(products_.get("p1")), "widget v1") << "cached until invalidated";
  EXPECT_TRUE(run_sync(products_.invalidate("p1")));
  EXPECT_EQ(run_sync(products_.get("p1")), "widget v2");
  source_["p1"] = "widget v3";
  clock_.advance(1min);
  EXPECT_EQ(run_sync(products_.get("p1")), "widget v3") << "reloaded after the ttl";
  EXPECT_EQ(loads_, 3);
}

TEST_F(ReadThroughTest, SourceErrorsReachTheCallerAndAreNotCached) {
  EXPECT_THROW(run_sync(products_.get("missing")), std::out_of_range);
  source_["missing"] = "found later";
  EXPECT_EQ(run_sync(products_.get("missing")), "found later");
}

TEST_F(ReadThroughTest, WriteThroughUpdatesSourceThenCache) {
  run_sync(write_through(cache_, "p1", "widget v9", 1min, [this](const std::string& value) -> asio::awaitable<void> {
    source_["p1"] = value;
    co_return;
  }));
  EXPECT_EQ(source_["p1"], "widget v9");
  EXPECT_EQ(cache_.lookup("p1"), "widget v9");
  EXPECT_EQ(loads_, 0);
}

TEST_F(ReadThroughTest, FailedWriteLeavesTheCacheAlone) {
  cache_.store("p1", "widget v1", 1min);
  EXPECT_THROW(run_sync(write_through(cache_, "p1", "widget v9", 1min,
                                      [](const std::string&) -> asio::awaitable<void> {
                                        throw std::runtime_error("store down");
                                        co_return;
                                      })),
               std::runtime_error);
  EXPECT_EQ(cache_.lookup("p1"), "widget v1");
}

}  // namespace
}  // namespace orderly::cache
