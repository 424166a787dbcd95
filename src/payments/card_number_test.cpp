#include "payments/card_number.hpp"

#include <gtest/gtest.h>

namespace orderly::payments {
namespace {

TEST(CardNumber, SpacesAndDashesAreRemovedAndAnythingElseIsRefused) {
  EXPECT_EQ(normalize_card_number("4242 4242-4242 4242"), "4242424242424242");
  EXPECT_EQ(normalize_card_number("4242a42424242424"), std::nullopt);
  EXPECT_EQ(normalize_card_number("4242.4242.4242.4242"), std::nullopt);
  EXPECT_EQ(normalize_card_number(""), std::nullopt);
}

TEST(CardNumber, LengthMustBeTwelveToNineteenDigits) {
  EXPECT_EQ(normalize_card_number("12345678901"), std::nullopt);
  EXPECT_TRUE(normalize_card_number("123456789012").has_value());
  EXPECT_TRUE(normalize_card_number("1234567890123456789").has_value());
  EXPECT_EQ(normalize_card_number("12345678901234567890"), std::nullopt);
}

TEST(CardNumber, LuhnAcceptsTheTestCardsAndRefusesOneWrongDigit) {
  for (const auto* number : {"4242424242424242", "4000000000000002", "4000000000009995", "4000000000000119",
                             "4000000000003220", "5555555555554444", "378282246310005", "6011111111111117"}) {
    EXPECT_TRUE(passes_luhn(number)) << number;
  }
  EXPECT_FALSE(passes_luhn("4242424242424241"));
  EXPECT_FALSE(passes_luhn("4000000000000001"));
  EXPECT_FALSE(passes_luhn(""));
  EXPECT_FALSE(passes_luhn("42x2"));
}

TEST(CardNumber, BrandComesFromTheLeadingDigits) {
  EXPECT_EQ(card_brand("4242424242424242"), CardBrand::visa);
  EXPECT_EQ(card_brand("5555555555554444"), CardBrand::mastercard);
  EXPECT_EQ(card_brand("2223003122003222"), CardBrand::mastercard);  // the 2-series range
  EXPECT_EQ(card_brand("378282246310005"), CardBrand::amex);
  EXPECT_EQ(card_brand("371449635398431"), CardBrand::amex);
  EXPECT_EQ(card_brand("6011111111111117"), CardBrand::discover);
  EXPECT_EQ(card_brand("6445644564456445"), CardBrand::discover);
  EXPECT_EQ(card_brand("3056930009020004"), CardBrand::unknown);  // Diners
  EXPECT_EQ(brand_name(CardBrand::amex), "amex");
  EXPECT_EQ(brand_name(CardBrand::unknown), "unknown");
}

TEST(CardNumber, OnlyTheLastFourAreShown) { EXPECT_EQ(last_four("4242424242421234"), "1234"); }

}  // namespace
}  // namespace orderly::payments
