#include "core/ids.hpp"

#include <set>

#include <gtest/gtest.h>

namespace orderly::core {
namespace {

TEST(Ids, RequestIdsAreHexAndDistinct) {
  FastRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = new_request_id(random);
    EXPECT_EQ(id.size(), 32U);
    EXPECT_TRUE(is_sane_request_id(id));
    seen.insert(std::move(id));
  }
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(Ids, SaneRequestIdsAreShortAndPlain) {
  EXPECT_TRUE(is_sane_request_id("abc-123_x.y:z"));
  EXPECT_FALSE(is_sane_request_id(""));
  EXPECT_FALSE(is_sane_request_id(std::string(129, 'a')));
  EXPECT_FALSE(is_sane_request_id("has space"));
  EXPECT_FALSE(is_sane_request_id("quote\""));
  EXPECT_FALSE(is_sane_request_id("line\nbreak"));
}

TEST(Ids, SeededRandomIsRepeatable) {
  SeededRandom a(42);
  SeededRandom b(42);
  EXPECT_EQ(random_hex(a, 20), random_hex(b, 20));
}

}  // namespace
}  // namespace orderly::core
