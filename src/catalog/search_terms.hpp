#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orderly::catalog {

// A client's `q`, made safe for each full-text engine: the words of `q`
// (runs of letters and digits; any non-ASCII byte counts as a letter, so
// "café" is one word), at most 8 of them and 64 bytes each, every one matched
// as a prefix and all required. The punctuation of a query language never
// reaches the engine, so no `q` can make a query fail.
//
//   "blue mug"  -> SQLite FTS5: "blue"* "mug"*   PostgreSQL: 'blue':* & 'mug':*
class SearchTerms {
 public:
  explicit SearchTerms(std::string_view q);

  // No words: the query matches nothing (the caller answers an empty page).
  [[nodiscard]] bool empty() const { return words_.empty(); }
  [[nodiscard]] std::string fts5_query() const;
  [[nodiscard]] std::string tsquery() const;  // for to_tsquery('simple', ...)
  [[nodiscard]] const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;
};

}  // namespace orderly::catalog
