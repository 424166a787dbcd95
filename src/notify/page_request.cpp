#include "notify/page_request.hpp"

#include <sodium.h>

#include <boost/url/params_view.hpp>

#include "core/problem.hpp"

namespace orderly::notify {
namespace {

[[noreturn]] void invalid(std::string field, std::string message) {
  throw core::ProblemError({422, "/problems/validation", "Invalid request", "a query parameter is invalid",
                            {{std::move(field), std::move(message)}}});
}

}  // namespace

PageRequest parse_page_request(std::string_view query) {
  PageRequest page;
  if (query.empty()) return page;
  try {
    for (const auto& param : boost::urls::params_view(query)) {
      if (param.key == "limit") {
        const auto& text = param.value;
        std::size_t value = 0;
        const bool digits = !text.empty() && text.size() <= 3 &&
                            text.find_first_not_of("0123456789") == std::string::npos;
        if (digits) value = std::stoul(text);
        if (!digits || value < 1 || value > 100) invalid("limit", "must be an integer from 1 to 100");
        page.limit = value;
      } else if (param.key == "cursor") {
        page.cursor = param.value;
      }
    }
  } catch (const boost::system::system_error&) {
    invalid("query", "is not a valid query string");
  }
  return page;
}

std::string encode_cursor(std::string_view first, std::string_view second) {
  std::string joined(first);
  joined += '\n';
  joined += second;
  std::string out(sodium_base64_ENCODED_LEN(joined.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(joined.data()), joined.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

std::optional<std::pair<std::string, std::string>> decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 512) return std::nullopt;
  std::string bytes(cursor.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), cursor.data(), cursor.size(),
                        nullptr, &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  bytes.resize(length);
  const auto newline = bytes.find('\n');
  if (newline == std::string::npos || bytes.find('\n', newline + 1) != std::string::npos) return std::nullopt;
  return std::pair{bytes.substr(0, newline), bytes.substr(newline + 1)};
}

}  // namespace orderly::notify
