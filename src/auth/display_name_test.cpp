// is_displayable_name: what a signup name may hold (issue 16: a CR/LF in a
// name reached mail headers).
#include <string>

#include <gtest/gtest.h>

#include "auth/user.hpp"

namespace orderly::auth {
namespace {

TEST(DisplayableName, AcceptsPrintableTextInAnyScript) {
  EXPECT_TRUE(is_displayable_name("Ada Lovelace"));
  EXPECT_TRUE(is_displayable_name("Zoë Ünlü"));
  EXPECT_TRUE(is_displayable_name("\xE6\x9D\x8E\xE5\x9B\x9B"));  // 李四
  EXPECT_TRUE(is_displayable_name("O'Brien-Smith Jr."));
}

TEST(DisplayableName, RefusesControlsLineBreaksAndBlankNames) {
  EXPECT_FALSE(is_displayable_name("Eve\r\nBcc: victim@example.com"));
  EXPECT_FALSE(is_displayable_name("line\nbreak"));
  EXPECT_FALSE(is_displayable_name("tab\there"));
  EXPECT_FALSE(is_displayable_name(std::string("nul\0byte", 8)));
  EXPECT_FALSE(is_displayable_name("del\x7F"));
  EXPECT_FALSE(is_displayable_name("next\xC2\x85line"));     // U+0085 NEL
  EXPECT_FALSE(is_displayable_name("csi\xC2\x9B"));          // U+009B
  EXPECT_FALSE(is_displayable_name("line\xE2\x80\xA8sep"));  // U+2028
  EXPECT_FALSE(is_displayable_name("para\xE2\x80\xA9sep"));  // U+2029
  EXPECT_FALSE(is_displayable_name("   "));
  EXPECT_FALSE(is_displayable_name(""));
  EXPECT_TRUE(is_displayable_name("en\xE2\x80\x94" "dash")) << "other U+20xx punctuation is fine";
}

}  // namespace
}  // namespace orderly::auth
