// The product import's CSV reader (catalog/csv.cpp) on arbitrary bytes:
// it must never crash, every record it returns has a bounded field count,
// and records come in non-decreasing line order.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/csv.hpp"
#include "property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto records = orderly::catalog::read_csv(text);
  std::size_t line = 0;
  for (const auto& record : records) {
    FUZZ_PROPERTY(record.fields.size() <= 1025 && record.line >= line);
    line = record.line;
  }
  return 0;
}
