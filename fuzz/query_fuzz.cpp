// Query strings and cursors: notify::parse_page_request (limit and cursor of
// every cursor-paged listing) on the raw query, and the opaque cursors of
// notify (two fields) and catalog (a product seq) on hostile text.
// Properties: only a 422 naming the field escapes, an accepted limit is in
// 1..100; decode(encode(x)) == x for whatever a cursor can hold, and what a
// decoder accepts re-encodes to a cursor that decodes the same.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "catalog/page_cursor.hpp"
#include "core/problem.hpp"
#include "notify/page_request.hpp"
#include "property.hpp"

namespace {

using namespace orderly;

void check_page_request(std::string_view query) {
  try {
    const auto page = notify::parse_page_request(query);
    FUZZ_PROPERTY(page.limit >= 1 && page.limit <= 100);
  } catch (const core::ProblemError& error) {
    FUZZ_PROPERTY(error.problem().status == 422 && error.problem().errors.size() == 1);
  }
}

void check_notify_cursor(std::string_view text) {
  if (const auto decoded = notify::decode_cursor(text)) {
    FUZZ_PROPERTY(notify::decode_cursor(notify::encode_cursor(decoded->first, decoded->second)) == decoded);
  }
  // Any two newline-free fields survive the round trip while the cursor is
  // within decode's 512 characters.
  const auto split = text.find('\n');
  const auto first = text.substr(0, split);
  const auto second = split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
  if (second.find('\n') != std::string_view::npos) return;
  const auto cursor = notify::encode_cursor(first, second);
  const auto back = notify::decode_cursor(cursor);
  if (cursor.size() <= 512) {
    FUZZ_PROPERTY(back && back->first == first && back->second == second);
  } else {
    FUZZ_PROPERTY(!back);
  }
}

void check_catalog_cursor(std::string_view text) {
  if (const auto seq = catalog::decode_cursor(text)) {
    FUZZ_PROPERTY(*seq >= 0 && catalog::decode_cursor(catalog::encode_cursor(*seq)) == seq);
  }
  if (text.size() >= sizeof(std::int64_t)) {
    std::int64_t seq = 0;
    std::memcpy(&seq, text.data(), sizeof seq);
    if (seq < 0) seq = -(seq + 1);  // every non-negative seq, INT64_MAX included
    FUZZ_PROPERTY(catalog::decode_cursor(catalog::encode_cursor(seq)) == seq);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // As in the server, the query is a whole std::string (Request::query):
  // Debian's Boost.URL 1.81 parse_query runs strlen on its view (found by
  // this target), which only a NUL-terminated string keeps in bounds.
  check_page_request(std::string(text));
  check_notify_cursor(text);
  check_catalog_cursor(text);
  return 0;
}
