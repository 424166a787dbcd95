#include "catalog/page_cursor.hpp"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace orderly::catalog {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr std::string_view kPrefix = "seq:";  // names the key, so a later sort order can add its own
constexpr std::size_t kMaxCursorLength = 64;

}  // namespace

std::string encode_cursor(std::int64_t last_seq) {
  const auto key = std::string(kPrefix) + std::to_string(last_seq);
  std::string encoded(sodium_base64_encoded_len(key.size(), kVariant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                    kVariant);
  encoded.resize(encoded.find('\0'));
  return encoded;
}

std::optional<std::int64_t> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorLength) return std::nullopt;
  std::vector<unsigned char> key(cursor.size());
  std::size_t length = 0;
  if (sodium_base642bin(key.data(), key.size(), cursor.data(), cursor.size(), nullptr, &length, nullptr, kVariant) !=
      0) {
    return std::nullopt;
  }
  const std::string_view text(reinterpret_cast<const char*>(key.data()), length);
  if (!text.starts_with(kPrefix)) return std::nullopt;
  const auto digits = text.substr(kPrefix.size());
  std::int64_t seq = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (error != std::errc() || end != digits.data() + digits.size() || seq < 0) return std::nullopt;
  return seq;
}

}  // namespace orderly::catalog
