#include "core/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace orderly::core {
namespace {

// Found by the writers fuzz target (fuzz/regressions/writers/): a client's
// ill-formed UTF-8 in a problem's text made the body unparsable JSON.
TEST(Problem, ReplacesIllFormedUtf8SoTheBodyStaysJson) {
  const Problem problem{422, "/problems/validation", "Invalid \xff", "bad \xc3\x28 and \xed\xa0\x80",
                        {{"name\xe2\x82", "caf\xc3\xa9"}}};
  boost::system::error_code error;
  const auto body = boost::json::parse(problem.to_json(), error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(body.at("title").as_string(), "Invalid \xef\xbf\xbd");
  EXPECT_EQ(body.at("errors").at(0).at("message").as_string(), "caf\xc3\xa9");  // well-formed text is kept
}

}  // namespace
}  // namespace orderly::core
