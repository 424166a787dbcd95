#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A reader for RFC 4180 CSV, the one format the product import accepts.
// Written here rather than taken from a library because Debian 12 packages no
// C++ CSV library (README's dependency table), and RFC 4180 is a small,
// closed grammar: fields separated by commas, records by CRLF (LF alone is
// accepted too), a field in double quotes may hold commas, line breaks and
// doubled quotes ("").
namespace orderly::catalog {

struct CsvRecord {
  std::size_t line = 0;  // the physical line (1-based) the record starts on
  std::vector<std::string> fields;
  // Set when the record is malformed (a quote inside an unquoted field, text
  // after a closing quote, a quote never closed); `fields` is then
  // incomplete. Reading goes on at the next line, so one bad record never
  // hides the rest (an unclosed quote runs to the end of the text).
  std::optional<std::string> error;
};

// Splits `text` into records. A leading UTF-8 byte-order mark and empty
// lines are skipped. At most `max_records` are read (the rest is ignored):
// a caller that only needs the header asks for one. Never throws on bad input.
[[nodiscard]] std::vector<CsvRecord> read_csv(std::string_view text, std::size_t max_records = SIZE_MAX);

}  // namespace orderly::catalog
