#include "catalog/search_terms.hpp"

namespace orderly::catalog {
namespace {

constexpr std::size_t kMaxWords = 8;
constexpr std::size_t kMaxWordBytes = 64;

bool is_word_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

SearchTerms::SearchTerms(std::string_view q) {
  std::size_t i = 0;
  while (i < q.size() && words_.size() < kMaxWords) {  // each turn consumes at least one byte
    if (!is_word_byte(q[i])) {
      ++i;
      continue;
    }
    const auto start = i;
    while (i < q.size() && is_word_byte(q[i])) ++i;
    auto word = q.substr(start, i - start);
    if (word.size() > kMaxWordBytes) {
      word = word.substr(0, kMaxWordBytes);
      // Do not cut a multi-byte character in two.
      while (!word.empty() && (static_cast<unsigned char>(word.back()) & 0xC0) == 0x80) word.remove_suffix(1);
      if (!word.empty() && static_cast<unsigned char>(word.back()) >= 0xC0) word.remove_suffix(1);
    }
    if (!word.empty()) words_.emplace_back(word);
  }
}

std::string SearchTerms::fts5_query() const {
  // Words hold no '"', so quoting each one makes it a plain string token.
  std::string query;
  for (const auto& word : words_) {
    if (!query.empty()) query += ' ';
    query += '"';
    query += word;
    query += "\"*";
  }
  return query;
}

std::string SearchTerms::tsquery() const {
  // Words hold no '\'', so quoting each one makes it a plain lexeme.
  std::string query;
  for (const auto& word : words_) {
    if (!query.empty()) query += " & ";
    query += '\'';
    query += word;
    query += "':*";
  }
  return query;
}

}  // namespace orderly::catalog
