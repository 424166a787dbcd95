#include "catalog/product_csv.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "catalog/product_rules.hpp"

namespace orderly::catalog {
namespace {

constexpr std::array<std::string_view, 6> kColumnNames = {"sku",          "name",           "description",
                                                          "price_amount", "price_currency", "stock"};

std::string normalised(std::string_view name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\r')) name.remove_suffix(1);
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::variant<ProductCsvColumns, std::string> read_product_header(const CsvRecord& header) {
  if (header.error) return "header row: " + *header.error;
  std::array<std::optional<std::size_t>, kColumnNames.size()> found;
  for (std::size_t index = 0; index < header.fields.size(); ++index) {
    const auto name = normalised(header.fields[index]);
    const auto known = std::find(kColumnNames.begin(), kColumnNames.end(), name);
    if (known == kColumnNames.end()) continue;
    auto& slot = found[static_cast<std::size_t>(known - kColumnNames.begin())];
    if (slot) return "header row: column " + name + " appears twice";
    slot = index;
  }
  std::string missing;
  for (std::size_t i = 0; i < kColumnNames.size(); ++i) {
    if (found[i]) continue;
    if (!missing.empty()) missing += ", ";
    missing += kColumnNames[i];
  }
  if (!missing.empty()) {
    return "header row must name the columns sku,name,description,price_amount,price_currency,stock; missing: " +
           missing;
  }
  return ProductCsvColumns{*found[0], *found[1], *found[2], *found[3], *found[4], *found[5], header.fields.size()};
}

std::variant<ProductCsvColumns, std::string> check_product_csv_header(std::string_view csv) {
  const auto first = read_csv(csv, 1);
  if (first.empty()) return std::string("the CSV is empty: it needs a header row and product lines");
  return read_product_header(first.front());
}

std::variant<ProductDraft, std::string> product_from_record(const CsvRecord& record, const ProductCsvColumns& columns) {
  if (record.error) return *record.error;
  if (record.fields.size() != columns.width) {
    return "expected " + std::to_string(columns.width) + " fields, got " + std::to_string(record.fields.size());
  }
  for (const auto& field : record.fields) {
    if (!is_utf8(field)) return std::string("not valid UTF-8");
  }
  const auto& sku = record.fields[columns.sku];
  const auto& name = record.fields[columns.name];
  const auto& description = record.fields[columns.description];
  const auto& currency = record.fields[columns.price_currency];
  if (auto problem = check_sku(sku)) return "sku: " + *problem;
  if (auto problem = check_name(name)) return "name: " + *problem;
  if (auto problem = check_description(description)) return "description: " + *problem;
  const auto amount = parse_integer(record.fields[columns.price_amount]);
  if (!amount) return std::string("price_amount: must be an integer number of minor units");
  if (auto problem = check_price_amount(*amount)) return "price_amount: " + *problem;
  if (auto problem = check_currency(currency)) return "price_currency: " + *problem;
  const auto stock = parse_integer(record.fields[columns.stock]);
  if (!stock) return std::string("stock: must be an integer");
  if (auto problem = check_stock(*stock)) return "stock: " + *problem;
  return ProductDraft{sku, name, description, core::Money{*amount, currency}, *stock};
}

}  // namespace orderly::catalog
