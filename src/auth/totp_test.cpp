// TOTP through liboath against RFC 6238's own test vectors (Appendix B, the
// SHA-1 rows), and the acceptance rules built on it: ±1 step, once each.
#include "auth/totp.hpp"

#include <gtest/gtest.h>

namespace orderly::auth {
namespace {

// RFC 6238 Appendix B: the ASCII seed "12345678901234567890" for HMAC-SHA1.
constexpr std::string_view kRfcKey = "12345678901234567890";

TEST(Totp, MatchesTheRfc6238TestVectors) {
  struct Vector {
    std::int64_t time;
    const char* code;
  };
  constexpr Vector kVectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& vector : kVectors) {
    EXPECT_EQ(totp_code(kRfcKey, totp_step_at(vector.time), 8), vector.code) << "T = " << vector.time;
  }
  // Six digits are the last six of the same truncation (RFC 4226 5.3).
  EXPECT_EQ(totp_code(kRfcKey, totp_step_at(59)), "287082");
}

TEST(Totp, AcceptsOneStepEitherSideAndNothingFurther) {
  constexpr std::int64_t kNow = 1111111111;  // step 37037037
  const auto step = totp_step_at(kNow);
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step), kNow, -1), step);
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step - 1), kNow, -1), step - 1);
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step + 1), kNow, -1), step + 1);
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step - 2), kNow, -1), std::nullopt);
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step + 2), kNow, -1), std::nullopt);
}

TEST(Totp, RefusesAUsedStepAndAnyBeforeIt) {
  constexpr std::int64_t kNow = 1234567890;
  const auto step = totp_step_at(kNow);
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step), kNow, step), std::nullopt) << "a replay";
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step - 1), kNow, step), std::nullopt) << "an older code";
  EXPECT_EQ(match_totp(kRfcKey, totp_code(kRfcKey, step + 1), kNow, step), step + 1);
}

TEST(Totp, RefusesWhatIsNotSixDigits) {
  constexpr std::int64_t kNow = 59;
  EXPECT_EQ(match_totp(kRfcKey, "94287082", kNow, -1), std::nullopt) << "eight digits";
  EXPECT_EQ(match_totp(kRfcKey, "28708", kNow, -1), std::nullopt);
  EXPECT_EQ(match_totp(kRfcKey, "28708a", kNow, -1), std::nullopt);
  EXPECT_EQ(match_totp(kRfcKey, " 287082", kNow, -1), std::nullopt);
  EXPECT_EQ(match_totp(kRfcKey, "", kNow, -1), std::nullopt);
}

TEST(Totp, EncodesSecretsAsAuthenticatorAppsReadThem) {
  // RFC 4648 section 10, without the padding.
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode(kRfcKey), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(otpauth_uri("Orderly", "a+b@example.com", "GEZDGNBVGY3TQOJQ"),
            "otpauth://totp/Orderly:a%2Bb%40example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Orderly"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace orderly::auth
