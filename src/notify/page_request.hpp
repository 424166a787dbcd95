#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// API.md's pagination: ?limit= (1..100, default 20) and ?cursor= (opaque).
namespace orderly::notify {

struct PageRequest {
  std::size_t limit = 20;
  std::optional<std::string> cursor;  // as sent; decode with the listing's own format
};

// Reads limit and cursor from a raw query string; other parameters are
// ignored. Throws core::ProblemError 422 naming the field for a bad limit.
// `query` must view a whole NUL-terminated string (Request::query): Boost.URL
// 1.81's parse_query runs strlen on it (found by fuzz/query_fuzz.cpp).
[[nodiscard]] PageRequest parse_page_request(std::string_view query);

// Opaque cursors: base64url of the fields joined by newlines. decode returns
// nullopt for anything it did not make (then the handler answers 422).
[[nodiscard]] std::string encode_cursor(std::string_view first, std::string_view second);
[[nodiscard]] std::optional<std::pair<std::string, std::string>> decode_cursor(std::string_view cursor);

}  // namespace orderly::notify
