#include "payments/card_cipher.hpp"

#include <gtest/gtest.h>

namespace orderly::payments {
namespace {

TEST(CardCipher, ANumberSealedIsOpenedWithTheSameKeyAndRow) {
  const auto ring = VaultKeyRing::generate();
  const auto associated = card_associated_data("pm_1", "user_1");
  const auto sealed = seal_card_number(ring.current(), "4242424242424242", associated);
  EXPECT_EQ(sealed.find("4242424242424242"), std::string::npos);
  EXPECT_EQ(open_card_number(ring.current(), sealed, associated), "4242424242424242");
}

TEST(CardCipher, EachSealingUsesAFreshNonce) {
  const auto ring = VaultKeyRing::generate();
  const auto associated = card_associated_data("pm_1", "user_1");
  EXPECT_NE(seal_card_number(ring.current(), "4242424242424242", associated),
            seal_card_number(ring.current(), "4242424242424242", associated));
}

TEST(CardCipher, AlteredBytesAnotherRowOrAnotherKeyFailToOpen) {
  auto ring = VaultKeyRing::generate();
  const auto associated = card_associated_data("pm_1", "user_1");
  const auto sealed = seal_card_number(ring.current(), "4242424242424242", associated);
  for (std::size_t i : {std::size_t{0}, sealed.size() / 2, sealed.size() - 1}) {
    auto tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_EQ(open_card_number(ring.current(), tampered, associated), std::nullopt) << "byte " << i;
  }
  EXPECT_EQ(open_card_number(ring.current(), sealed, card_associated_data("pm_2", "user_1")), std::nullopt);
  EXPECT_EQ(open_card_number(ring.current(), sealed, card_associated_data("pm_1", "user_2")), std::nullopt);
  EXPECT_EQ(open_card_number(ring.current(), sealed, card_associated_data("pm_1u", "ser_1")), std::nullopt);
  ring.add_new_key();
  EXPECT_EQ(open_card_number(ring.current(), sealed, associated), std::nullopt);
  EXPECT_EQ(open_card_number(ring.current(), sealed.substr(0, 10), associated), std::nullopt);
}

}  // namespace
}  // namespace orderly::payments
