#include "core/config_values.hpp"

#include <gtest/gtest.h>

namespace orderly::core::config_values {
namespace {

using std::chrono::milliseconds;

TEST(ConfigValues, Durations) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  for (const char* bad : {"10", "", "s", "-1s", "1.5s", "10 s", "10sec", "99999999999999999999h"}) {
    EXPECT_THROW((void)parse_duration(bad), std::invalid_argument) << bad;
  }
}

TEST(ConfigValues, DurationsRoundTrip) {
  for (const auto ms : {0, 1, 999, 1000, 15'000, 60'000, 90'000, 3'600'000}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms));
  }
}

TEST(ConfigValues, Sizes) {
  EXPECT_EQ(parse_size("100"), 100U);
  EXPECT_EQ(parse_size("16KiB"), 16U * 1024);
  EXPECT_EQ(parse_size("1MiB"), 1024U * 1024);
  EXPECT_EQ(format_size(16 * 1024), "16KiB");
  EXPECT_EQ(format_size(1000), "1000");
  for (const char* bad : {"", "1KB", "MiB", "-5", "1.5MiB"}) {
    EXPECT_THROW((void)parse_size(bad), std::invalid_argument) << bad;
  }
}

TEST(ConfigValues, UnsignedRange) {
  EXPECT_EQ(parse_unsigned("7", 0, 10), 7U);
  EXPECT_THROW((void)parse_unsigned("11", 0, 10), std::invalid_argument);
  EXPECT_THROW((void)parse_unsigned("x", 0, 10), std::invalid_argument);
  EXPECT_THROW((void)parse_unsigned("3x", 0, 10), std::invalid_argument);
}

TEST(ConfigValues, Booleans) {
  EXPECT_TRUE(parse_bool("true"));
  EXPECT_TRUE(parse_bool("on"));
  EXPECT_FALSE(parse_bool("no"));
  EXPECT_THROW((void)parse_bool("maybe"), std::invalid_argument);
}

}  // namespace
}  // namespace orderly::core::config_values
