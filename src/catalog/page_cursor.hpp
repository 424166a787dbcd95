#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orderly::catalog {

// The opaque `cursor` of GET /api/v1/products: base64url (no padding) of the
// last sort key of the page before, which is the product's `seq` (immutable
// and increasing, so pages never repeat or skip a product that exists for the
// whole walk). Clients must not build cursors; decode_cursor returns nothing
// for text that is not one (a 422 for the caller).
[[nodiscard]] std::string encode_cursor(std::int64_t last_seq);
[[nodiscard]] std::optional<std::int64_t> decode_cursor(std::string_view cursor);

}  // namespace orderly::catalog
