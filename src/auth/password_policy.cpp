#include "auth/password_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace orderly::auth {
namespace {

// Passwords of 10+ characters that lead the public breach corpora (the
// shorter favourites fail the length rule anyway). A deny-list, per NIST SP
// 800-63B 5.1.1.2, not a complexity rule.
constexpr std::array<std::string_view, 72> kCommonPasswords = {
    "1234567890",   "0123456789",    "0987654321",   "1111111111",   "1234567891",   "12345678910",
    "123456789a",   "a123456789",    "1234567890a",  "qwertyuiop",   "qwerty1234",   "qwerty12345",
    "qwerty123456", "1234qwerty",    "qwertyuiop1",  "1q2w3e4r5t",   "q1w2e3r4t5",   "1qaz2wsx3edc",
    "zaq12wsxcde",  "qazwsxedcrfv",  "asdfghjkl1",   "asdfghjkl;",   "zxcvbnm123",   "password12",
    "password123",  "password1234",  "password01",   "passw0rd123",  "p@ssw0rd123",  "p@ssword123",
    "iloveyou12",   "iloveyou123",   "welcome123",   "welcome1234",  "letmein123",   "football123",
    "baseball123",  "superman123",   "trustno1234",  "administrator", "changeme123", "princess123",
    "sunshine123",  "michael123",    "dragon1234",   "monkey1234",   "starwars123",  "whatever123",
    "computer123",  "internet123",   "123123123123", "987654321a",   "11111111111",  "aaaaaaaaaa",
    "abc1234567",   "abcd123456",    "abcdefghij",   "samsung123",   "pokemon123",   "11223344556677",
    "1122334455",   "5555555555",    "0000000000",   "9876543210",   "qwer123456",   "a1b2c3d4e5",
    "password!",    "passwordpassword", "qwertyqwerty", "myspace123", "liverpool123", "chelsea123",
};

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Characters as a user counts them: UTF-8 code points (continuation bytes skipped).
std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

bool is_common_password(std::string_view password) {
  const auto lowered = lower_ascii(password);
  return std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lowered) != kCommonPasswords.end();
}

std::optional<std::string> password_weakness(std::string_view password, std::string_view email) {
  const auto length = code_points(password);
  if (length < kMinPasswordLength) return "must be at least 10 characters";
  if (length > kMaxPasswordLength) return "must be at most 128 characters";
  if (is_common_password(password)) return "is one of the most common passwords";
  if (lower_ascii(password) == lower_ascii(email)) return "must not be the email address";
  return std::nullopt;
}

}  // namespace orderly::auth
