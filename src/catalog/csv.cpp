#include "catalog/csv.hpp"

#include <cstdint>
#include <string>

namespace orderly::catalog {
namespace {

// A product row has a dozen columns; a line of ten million commas would
// otherwise become ten million strings (hundreds of MB) before any check.
constexpr std::size_t kMaxFields = 1024;

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) position_ = 3;
  }

  [[nodiscard]] bool at_end() const { return position_ >= text_.size(); }

  // Skips line breaks between records (empty lines).
  void skip_empty_lines() {
    while (!at_end() && (peek() == '\n' || (peek() == '\r' && next_is('\n')))) consume_line_break();
  }

  // One record, from the current position (not at the end, not on an empty line).
  CsvRecord read_record() {
    CsvRecord record;
    record.line = line_;
    while (true) {  // one field per turn; each consumes at least its separator or ends the record
      std::string field;
      if (!at_end() && peek() == '"') {
        if (!read_quoted(field, record)) return record;
      } else if (!read_unquoted(field, record)) {
        return record;
      }
      record.fields.push_back(std::move(field));
      if (record.fields.size() > kMaxFields) {
        fail(record, "more than " + std::to_string(kMaxFields) + " fields in one record");
        return record;
      }
      if (at_end()) return record;
      if (peek() == ',') {
        ++position_;
        continue;
      }
      consume_line_break();  // read_* stop only at ',', a line break or the end
      return record;
    }
  }

 private:
  [[nodiscard]] char peek() const { return text_[position_]; }
  [[nodiscard]] bool next_is(char c) const { return position_ + 1 < text_.size() && text_[position_ + 1] == c; }
  [[nodiscard]] bool at_line_break() const { return peek() == '\n' || (peek() == '\r' && next_is('\n')); }

  void consume_line_break() {
    if (peek() == '\r') ++position_;
    ++position_;
    ++line_;
  }

  // Reading resumes on the line after a malformed record.
  void fail(CsvRecord& record, std::string message) {
    record.error = std::move(message);
    while (!at_end() && !at_line_break()) ++position_;
    if (!at_end()) consume_line_break();
  }

  bool read_unquoted(std::string& field, CsvRecord& record) {
    const auto start = position_;
    while (!at_end() && peek() != ',' && !at_line_break()) {
      if (peek() == '"') {
        fail(record, "a double quote inside an unquoted field (quote the whole field and double the quote)");
        return false;
      }
      ++position_;
    }
    field.assign(text_.substr(start, position_ - start));
    return true;
  }

  bool read_quoted(std::string& field, CsvRecord& record) {
    ++position_;    // the opening quote
    while (true) {  // each turn consumes at least one character
      if (at_end()) {
        record.error = "a quoted field is never closed";
        return false;
      }
      const char c = peek();
      if (c == '"') {
        if (next_is('"')) {
          field += '"';
          position_ += 2;
          continue;
        }
        ++position_;  // the closing quote
        if (!at_end() && peek() != ',' && !at_line_break()) {
          fail(record, "text after the closing quote of a field");
          return false;
        }
        return true;
      }
      if (c == '\n') ++line_;
      field += c;
      ++position_;
    }
  }

  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

std::vector<CsvRecord> read_csv(std::string_view text, std::size_t max_records) {
  std::vector<CsvRecord> records;
  CsvReader reader(text);
  while (records.size() < max_records) {  // each turn consumes a record or the rest of the text
    reader.skip_empty_lines();
    if (reader.at_end()) break;
    records.push_back(reader.read_record());
  }
  return records;
}

}  // namespace orderly::catalog
