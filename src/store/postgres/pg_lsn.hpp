#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orderly::store::postgres {

// A WAL position as PostgreSQL prints a pg_lsn ("16/B374D848": two 32-bit
// halves in hex) or nullopt when `text` is not one. Positions compare as
// numbers; their difference is a distance in bytes.
[[nodiscard]] std::optional<std::uint64_t> parse_lsn(std::string_view text);
[[nodiscard]] std::string format_lsn(std::uint64_t position);

}  // namespace orderly::store::postgres
