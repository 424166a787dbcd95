#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace orderly::core {

// `bytes` random bytes as lowercase hex (2 * bytes characters).
[[nodiscard]] std::string random_hex(Random& random, std::size_t bytes);

// A new request id: 16 random bytes as hex.
[[nodiscard]] std::string new_request_id(Random& random);

// Whether a client-sent X-Request-Id may be reused: 1 to 128 characters of
// [A-Za-z0-9._:-]. Anything else (spaces, quotes, control bytes) would let a
// client inject text into log lines, so it is replaced with a fresh id.
[[nodiscard]] bool is_sane_request_id(std::string_view id);

}  // namespace orderly::core
