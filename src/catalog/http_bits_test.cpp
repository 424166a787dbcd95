// The small pieces of the catalog's HTTP surface: ETags and conditional
// headers, page cursors, search terms, product bodies.
#include <gtest/gtest.h>

#include "catalog/entity_tags.hpp"
#include "catalog/page_cursor.hpp"
#include "catalog/product_json.hpp"
#include "catalog/search_terms.hpp"
#include "core/problem.hpp"

namespace orderly::catalog {
namespace {

TEST(CatalogEntityTags, StrongTagFromTheVersion) {
  EXPECT_EQ(entity_tag(7), "\"v7\"");
}

TEST(CatalogEntityTags, IfNoneMatchComparesWeakly) {
  EXPECT_TRUE(none_match("\"v7\"", 7));
  EXPECT_TRUE(none_match("W/\"v7\"", 7));
  EXPECT_TRUE(none_match("\"v1\", \"v7\"", 7));
  EXPECT_TRUE(none_match("*", 7));
  EXPECT_FALSE(none_match("\"v6\"", 7));
  EXPECT_FALSE(none_match("v7", 7)) << "an unquoted tag is malformed";
  EXPECT_FALSE(none_match("\"v7x\"", 7));
}

TEST(CatalogEntityTags, IfMatchComparesStrongly) {
  EXPECT_EQ(accepted_versions("\"v3\""), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(accepted_versions("\"v3\", \"v4\""), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(accepted_versions("*"), std::nullopt);
  EXPECT_EQ(accepted_versions("W/\"v3\""), std::vector<std::int64_t>{}) << "a weak tag never matches If-Match";
  EXPECT_EQ(accepted_versions("\"abc\""), std::vector<std::int64_t>{});
}

// Cursors are not signed: a client that base64-encodes "seq:<n>" itself gets a
// valid page (a cursor only says where a public listing resumes). What is
// refused is text that is not a cursor at all.
TEST(CatalogPageCursor, RoundTripsAndRefusesTextThatIsNotACursor) {
  const auto cursor = encode_cursor(12345);
  EXPECT_EQ(cursor.find_first_of("+/="), std::string::npos) << "base64url without padding";
  EXPECT_EQ(decode_cursor(cursor), 12345);
  EXPECT_EQ(decode_cursor(""), std::nullopt);
  EXPECT_EQ(decode_cursor("!!!"), std::nullopt);
  EXPECT_EQ(decode_cursor("MTIz"), std::nullopt) << "base64 of 123 without the key's name";
  EXPECT_EQ(decode_cursor("c2VxOi0x"), std::nullopt) << "seq:-1";
  EXPECT_EQ(decode_cursor("c2VxOjc"), 7) << "a hand-built seq:7 is a cursor: they are not signed";
  EXPECT_EQ(decode_cursor(std::string(100, 'A')), std::nullopt);
}

TEST(CatalogSearchTerms, WordsBecomeQuotedPrefixesForEachEngine) {
  const SearchTerms terms("Blue  mug!");
  EXPECT_EQ(terms.fts5_query(), "\"Blue\"* \"mug\"*");
  EXPECT_EQ(terms.tsquery(), "'Blue':* & 'mug':*");
}

TEST(CatalogSearchTerms, QueryLanguagePunctuationNeverReachesTheEngine) {
  const SearchTerms hostile("\"x\" OR 'y' & !z:* (NEAR) -- ; DROP");
  for (const auto& word : hostile.words()) {
    EXPECT_EQ(word.find_first_of("\"'&|!:*()-;"), std::string::npos) << word;
  }
  EXPECT_TRUE(SearchTerms("!!! ---").empty());
  EXPECT_EQ(SearchTerms("café").words(), (std::vector<std::string>{"café"}));
  EXPECT_EQ(SearchTerms("a b c d e f g h i j").words().size(), 8U);
}

net::Request with_body(std::string_view body) {
  net::Request request;
  request.body = std::string(body);
  return request;
}

core::Problem problem_of(std::string_view body, bool patch) {
  try {
    if (patch) {
      (void)parse_product_patch(with_body(body));
    } else {
      (void)parse_product_draft(with_body(body));
    }
  } catch (const core::ProblemError& error) {
    return error.problem();
  }
  return core::Problem{200, "", "", "", {}};
}

bool has_field_error(const core::Problem& problem, std::string_view field) {
  for (const auto& error : problem.errors) {
    if (error.field == field) return true;
  }
  return false;
}

TEST(CatalogProductJson, DraftNeedsSkuNamePriceAndDefaultsTheRest) {
  const auto draft =
      parse_product_draft(with_body(R"({"sku":"A-1","name":"Mug","price":{"amount":1999,"currency":"USD"},"x":1})"));
  EXPECT_EQ(draft.sku, "A-1");
  EXPECT_EQ(draft.description, "");
  EXPECT_EQ(draft.stock, 0);
  const auto missing = problem_of("{}", false);
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(has_field_error(missing, "sku"));
  EXPECT_TRUE(has_field_error(missing, "name"));
  EXPECT_TRUE(has_field_error(missing, "price"));
}

TEST(CatalogProductJson, BadJsonIs400AndBadValuesAre422PerField) {
  EXPECT_EQ(problem_of("{not json", false).status, 400);
  EXPECT_EQ(problem_of("[1,2]", false).status, 400) << "not an object (net::parse_json_object)";
  EXPECT_TRUE(
      has_field_error(problem_of(R"({"sku":null,"name":"x","price":{"amount":1,"currency":"USD"}})", false), "sku"))
      << "null is absent, and sku is required";
  const auto bad = problem_of(
      R"({"sku":"has space","name":5,"price":{"amount":1.5,"currency":"usd"},"stock":-1,"description":"ok"})", false);
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(has_field_error(bad, "sku"));
  EXPECT_TRUE(has_field_error(bad, "name"));
  EXPECT_TRUE(has_field_error(bad, "price.amount"));
  EXPECT_TRUE(has_field_error(bad, "price.currency"));
  EXPECT_TRUE(has_field_error(bad, "stock"));
  EXPECT_FALSE(has_field_error(bad, "description"));
  EXPECT_TRUE(has_field_error(problem_of(R"({"name":"a\u0000b"})", true), "name")) << "NUL cannot be stored";
  EXPECT_TRUE(has_field_error(problem_of(R"({"stock":99999999999999999999})", true), "stock"));
}

TEST(CatalogProductJson, PatchTakesAnySubset) {
  const auto patch = parse_product_patch(with_body(R"({"stock":4})"));
  EXPECT_EQ(patch.stock, 4);
  EXPECT_FALSE(patch.name);
  EXPECT_FALSE(patch.price);
  const auto empty = parse_product_patch(with_body("{}"));
  EXPECT_FALSE(empty.sku);
}

}  // namespace
}  // namespace orderly::catalog
