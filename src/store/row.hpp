#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/value.hpp"

namespace orderly::store {

// One result row. Typed accessors take a column name (or index) and throw
// StoreError when the column is missing or its value cannot be read as asked
// (a NULL read as non-optional, text that is not a number).
class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}

  [[nodiscard]] const Value& at(std::size_t index) const;
  [[nodiscard]] const Value& at(std::string_view column) const;
  [[nodiscard]] bool is_null(std::string_view column) const;

  [[nodiscard]] std::int64_t int64(std::string_view column) const;
  [[nodiscard]] double real(std::string_view column) const;
  [[nodiscard]] std::string text(std::string_view column) const;
  [[nodiscard]] Blob blob(std::string_view column) const;
  [[nodiscard]] bool boolean(std::string_view column) const;
  [[nodiscard]] std::optional<std::int64_t> optional_int64(std::string_view column) const;
  [[nodiscard]] std::optional<std::string> optional_text(std::string_view column) const;

  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] const std::vector<std::string>& columns() const { return *columns_; }

 private:
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<Value> values_;
};

struct Result {
  std::vector<Row> rows;
  std::int64_t affected_rows = 0;  // for INSERT, UPDATE, DELETE

  [[nodiscard]] bool empty() const { return rows.empty(); }
  [[nodiscard]] const Row& first() const;  // throws StoreError when there is no row
};

}  // namespace orderly::store
