#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ETags of products and the conditional headers that use them (RFC 9110
// section 13). A product's ETag is its version as a strong tag: "v7".
namespace orderly::catalog {

[[nodiscard]] std::string entity_tag(std::int64_t version);

// If-None-Match (weak comparison): true when the header names `version`'s
// tag (W/"v7" matches too) or is "*". Then a GET answers 304.
[[nodiscard]] bool none_match(std::string_view if_none_match, std::int64_t version);

// If-Match (strong comparison): the versions it accepts, or nothing when it
// accepts any current product ("*"). Tags that are weak or not ours accept
// nothing, so the update fails with 412 as RFC 9110 asks.
[[nodiscard]] std::optional<std::vector<std::int64_t>> accepted_versions(std::string_view if_match);

}  // namespace orderly::catalog
