#include "store/postgres/pg_lsn.hpp"

#include <gtest/gtest.h>

namespace orderly::store::postgres {
namespace {

TEST(PgLsn, ParsesBothHalves) {
  EXPECT_EQ(parse_lsn("0/0"), 0U);
  EXPECT_EQ(parse_lsn("16/B374D848"), 0x16B374D848U);
  EXPECT_EQ(parse_lsn("FFFFFFFF/FFFFFFFF"), 0xFFFFFFFFFFFFFFFFU);
  EXPECT_LT(*parse_lsn("0/FFFFFFFF"), *parse_lsn("1/0"));  // numbers, not text
}

TEST(PgLsn, RefusesWhatIsNotAPosition) {
  for (const auto* text : {"", "0", "/0", "0/", "x/0", "0/x", "1/2/3", "123456789/0", "-1/0", "1 /0"}) {
    EXPECT_EQ(parse_lsn(text), std::nullopt) << text;
  }
}

TEST(PgLsn, FormatsAsPostgreSQLPrintsIt) {
  EXPECT_EQ(format_lsn(0x16B374D848U), "16/B374D848");
  EXPECT_EQ(format_lsn(0), "0/0");
  EXPECT_EQ(parse_lsn(format_lsn(0x123456789ABCU)), 0x123456789ABCU);
}

}  // namespace
}  // namespace orderly::store::postgres
