// The RFC 4180 reader and the import's product columns.
#include "catalog/csv.hpp"

#include <gtest/gtest.h>

#include "catalog/product_csv.hpp"

namespace orderly::catalog {
namespace {

using Fields = std::vector<std::string>;

TEST(CatalogCsv, SplitsRecordsOnCrlfAndLf) {
  const auto records = read_csv("a,b,c\r\n1,2,3\n4,5,6");
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(records[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(records[2].fields, (Fields{"4", "5", "6"}));
  EXPECT_EQ(records[2].line, 3U);
  for (const auto& record : records) EXPECT_FALSE(record.error);
}

TEST(CatalogCsv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const auto records = read_csv("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nnext,x,y\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].fields, (Fields{"a,b", "say \"hi\"", "two\r\nlines"}));
  EXPECT_EQ(records[0].line, 1U);
  EXPECT_EQ(records[1].line, 3U) << "a record's line is where it starts, after the quoted line break";
}

TEST(CatalogCsv, EmptyFieldsAndTrailingCommaAreFields) {
  const auto records = read_csv("a,,c,\n\"\",b,,");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].fields, (Fields{"a", "", "c", ""}));
  EXPECT_EQ(records[1].fields, (Fields{"", "b", "", ""}));
}

TEST(CatalogCsv, SkipsByteOrderMarkAndEmptyLines) {
  const auto records = read_csv("\xEF\xBB\xBFsku\r\n\r\n\nA-1\n\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].fields, (Fields{"sku"}));
  EXPECT_EQ(records[1].fields, (Fields{"A-1"}));
  EXPECT_EQ(records[1].line, 4U);
}

TEST(CatalogCsv, MalformedRecordIsReportedAndReadingGoesOn) {
  const auto records = read_csv("ok,1\nbad\"quote,2\n\"closed\"junk,3\nfine,4\n");
  ASSERT_EQ(records.size(), 4U);
  EXPECT_FALSE(records[0].error);
  ASSERT_TRUE(records[1].error);
  EXPECT_NE(records[1].error->find("unquoted"), std::string::npos);
  ASSERT_TRUE(records[2].error);
  EXPECT_NE(records[2].error->find("after the closing quote"), std::string::npos);
  EXPECT_FALSE(records[3].error);
  EXPECT_EQ(records[3].fields, (Fields{"fine", "4"}));
  EXPECT_EQ(records[3].line, 4U);
}

TEST(CatalogCsv, UnclosedQuoteRunsToTheEnd) {
  const auto records = read_csv("a,1\n\"never closed,2\nb,3\n");
  ASSERT_EQ(records.size(), 2U);
  ASSERT_TRUE(records[1].error);
  EXPECT_NE(records[1].error->find("never closed"), std::string::npos);
}

TEST(CatalogCsv, MaxRecordsStopsEarly) {
  const auto records = read_csv("h1,h2\n1,2\n3,4\n", 1);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].fields, (Fields{"h1", "h2"}));
}

TEST(CatalogCsv, EmptyTextHasNoRecords) {
  EXPECT_TRUE(read_csv("").empty());
  EXPECT_TRUE(read_csv("\r\n\n").empty());
}

TEST(CatalogProductCsv, HeaderColumnsInAnyOrderWithExtrasIgnored) {
  const auto header = check_product_csv_header(" Stock ,sku,extra,name,description,price_amount,PRICE_CURRENCY\n");
  ASSERT_TRUE(std::holds_alternative<ProductCsvColumns>(header)) << std::get<std::string>(header);
  const auto& columns = std::get<ProductCsvColumns>(header);
  EXPECT_EQ(columns.stock, 0U);
  EXPECT_EQ(columns.sku, 1U);
  EXPECT_EQ(columns.price_currency, 6U);
  EXPECT_EQ(columns.width, 7U);
}

TEST(CatalogProductCsv, HeaderMissingAColumnOrEmptyIsRefused) {
  const auto missing = check_product_csv_header("sku,name,price_amount,price_currency,stock\n");
  ASSERT_TRUE(std::holds_alternative<std::string>(missing));
  EXPECT_NE(std::get<std::string>(missing).find("missing: description"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<std::string>(check_product_csv_header("")));
  EXPECT_TRUE(std::holds_alternative<std::string>(
      check_product_csv_header("sku,sku,name,description,price_amount,price_currency,stock")));
}

TEST(CatalogProductCsv, RecordBecomesADraftOrALineMessage) {
  const auto columns =
      std::get<ProductCsvColumns>(check_product_csv_header("sku,name,description,price_amount,price_currency,stock"));
  const auto record = [](Fields fields) { return CsvRecord{2, std::move(fields), std::nullopt}; };

  const auto good = product_from_record(record({"A-1", "Mug", "", "1999", "EUR", "5"}), columns);
  ASSERT_TRUE(std::holds_alternative<ProductDraft>(good));
  EXPECT_EQ(std::get<ProductDraft>(good).price, (core::Money{1999, "EUR"}));
  EXPECT_EQ(std::get<ProductDraft>(good).stock, 5);

  const auto message = [&](Fields fields) {
    const auto result = product_from_record(record(std::move(fields)), columns);
    return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : std::string("(accepted)");
  };
  EXPECT_NE(message({"A-1", "Mug", "", "19.99", "EUR", "5"}).find("price_amount"), std::string::npos);
  EXPECT_NE(message({"A-1", "Mug", "", "-1", "EUR", "5"}).find("price_amount"), std::string::npos);
  EXPECT_NE(message({"A-1", "Mug", "", "1", "eur", "5"}).find("price_currency"), std::string::npos);
  EXPECT_NE(message({"A-1", "Mug", "", "1", "EUR", "-3"}).find("stock"), std::string::npos);
  EXPECT_NE(message({"A-1", "Mug", "", "1", "EUR", "many"}).find("stock"), std::string::npos);
  EXPECT_NE(message({"bad sku", "Mug", "", "1", "EUR", "1"}).find("sku"), std::string::npos);
  EXPECT_NE(message({"A-1", " ", "", "1", "EUR", "1"}).find("name"), std::string::npos);
  EXPECT_NE(message({"A-1", "Mug\xff", "", "1", "EUR", "1"}).find("UTF-8"), std::string::npos);
  EXPECT_NE(message({"A-1", "Mug", "1", "EUR", "1"}).find("expected 6 fields, got 5"), std::string::npos);
}

}  // namespace
}  // namespace orderly::catalog

namespace orderly::catalog {
namespace {

// Fuzzing edge (issue 18): ten million commas on one line used to become ten
// million empty fields before any column check.
TEST(CatalogCsv, ARecordWithTooManyFieldsIsRefusedAndReadingGoesOn) {
  const auto text = "sku,name\n" + std::string(10'000'000, ',') + "\nA-1,ok\n";
  const auto records = read_csv(text);
  ASSERT_EQ(records.size(), 3U);
  ASSERT_TRUE(records[1].error);
  EXPECT_NE(records[1].error->find("fields in one record"), std::string::npos);
  EXPECT_LE(records[1].fields.size(), 1025U);
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"A-1", "ok"}));
  EXPECT_EQ(records[2].line, 3U);
}

}  // namespace
}  // namespace orderly::catalog
