#include "payments/new_card.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/manual_clock.hpp"
#include "core/problem.hpp"

namespace orderly::payments {
namespace {

using namespace std::chrono;

// The ManualClock starts in November 2023.
class NewCardTest : public ::testing::Test {
 protected:
  core::ManualClock clock_;

  NewCard parse(std::string_view text) {
    auto body = boost::json::parse(text).as_object();
    return parse_new_card(body, clock_);
  }

  // The problem parse_new_card throws for `body`; fails the test when it accepts it.
  core::Problem refusal(std::string_view body) {
    try {
      (void)parse(body);
    } catch (const core::ProblemError& error) {
      return error.problem();
    }
    ADD_FAILURE() << "accepted " << body;
    return {};
  }

  static std::vector<std::string> fields(const core::Problem& problem) {
    std::vector<std::string> names;
    for (const auto& error : problem.errors) names.push_back(error.field);
    return names;
  }
};

TEST_F(NewCardTest, AGoodCardIsParsedWithItsDigitsOnly) {
  const auto card = parse(
      R"({"card": {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}, "x": 1})");
  EXPECT_EQ(card.number, "4242424242424242");
  EXPECT_EQ(card.exp_month, 12);
  EXPECT_EQ(card.exp_year, 2030);
  EXPECT_EQ(card.cvc, "123");
}

TEST_F(NewCardTest, TheNumberAndCvcInTheParsedBodyAreOverwritten) {
  auto body = boost::json::parse(
                  R"({"card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})")
                  .as_object();
  (void)parse_new_card(body, clock_);
  const auto& card = body.at("card").as_object();
  EXPECT_EQ(card.at("number").as_string().find("4242"), std::string::npos);
  EXPECT_EQ(card.at("cvc").as_string().find("123"), std::string::npos);
}

TEST_F(NewCardTest, AMissingCardIs422) {
  const auto problem = refusal(R"({"number": "4242424242424242"})");
  EXPECT_EQ(problem.status, 422);
  EXPECT_EQ(fields(problem), std::vector<std::string>{"card"});
}

TEST_F(NewCardTest, EveryBadFieldIsNamedAndNoValueIsRepeated) {
  const auto problem = refusal(R"({"card": {"number": "4242424242424241", "exp_month": 13, "exp_year": 30,
                                             "cvc": "12"}})");
  EXPECT_EQ(problem.status, 422);
  EXPECT_EQ(fields(problem), (std::vector<std::string>{"card.number", "card.exp_month", "card.exp_year", "card.cvc"}));
  const auto text = problem.to_json();
  EXPECT_EQ(text.find("4242424242424241"), std::string::npos);
  EXPECT_EQ(text.find("\"12\""), std::string::npos);
}

TEST_F(NewCardTest, NumbersMustBeStringsOfTwelveToNineteenDigits) {
  EXPECT_EQ(fields(refusal(R"({"card": {"number": 4242424242424242, "exp_month": 1, "exp_year": 2030, "cvc": "123"}})")),
            std::vector<std::string>{"card.number"});
  EXPECT_EQ(fields(refusal(R"({"card": {"number": "4242", "exp_month": 1, "exp_year": 2030, "cvc": "123"}})")),
            std::vector<std::string>{"card.number"});
}

TEST_F(NewCardTest, ExpiryFollowsTheClock) {
  const auto now = year_month_day(floor<days>(clock_.now()));
  const int year = static_cast<int>(now.year());
  const int month = static_cast<int>(static_cast<unsigned>(now.month()));
  EXPECT_FALSE(card_expired(month, year, clock_.now())) << "a card is good through its month";
  EXPECT_TRUE(card_expired(month == 1 ? 12 : month - 1, month == 1 ? year - 1 : year, clock_.now()));
  EXPECT_TRUE(card_expired(12, year - 1, clock_.now()));

  const std::string body = R"({"card": {"number": "4242424242424242", "exp_month": )" + std::to_string(month) +
                           R"(, "exp_year": )" + std::to_string(year) + R"(, "cvc": "123"}})";
  EXPECT_NO_THROW((void)parse(body));
  clock_.advance(hours(24 * 62));  // two months on: the card has expired
  const auto problem = refusal(body);
  EXPECT_EQ(fields(problem), std::vector<std::string>{"card.exp_year"});
  EXPECT_EQ(problem.errors[0].message, "the card has expired");
}

TEST_F(NewCardTest, CvcIsThreeOrFourDigitsAsAString) {
  const auto with_cvc = [](std::string cvc) {
    return R"({"card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2030, "cvc": )" + cvc + "}}";
  };
  EXPECT_NO_THROW((void)parse(with_cvc(R"("1234")")));
  EXPECT_NO_THROW((void)parse(with_cvc(R"("012")")));
  for (const auto* bad : {R"("12")", R"("12345")", R"("12a")", "123", "null"}) {
    EXPECT_EQ(fields(refusal(with_cvc(bad))), std::vector<std::string>{"card.cvc"}) << bad;
  }
}

}  // namespace
}  // namespace orderly::payments
