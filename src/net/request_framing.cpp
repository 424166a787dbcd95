#include "net/request_framing.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace orderly::net {
namespace http = boost::beast::http;

namespace {

std::string_view trim(std::string_view value) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  return value;
}

bool is_chunked(std::string_view value) {
  constexpr std::string_view chunked = "chunked";
  return value.size() == chunked.size() &&
         std::equal(value.begin(), value.end(), chunked.begin(),
                    [](unsigned char a, unsigned char b) { return std::tolower(a) == b; });
}

}  // namespace

std::optional<std::string> transfer_encoding_problem(const http::fields& fields) {
  const auto count = fields.count(http::field::transfer_encoding);
  if (count == 0) return std::nullopt;
  if (count > 1) return "Transfer-Encoding must appear once, as chunked.";
  // An obs-fold leaves a CR or LF in the value, or is unfolded into spaces
  // between codings; both end up in the comparison below and are refused.
  const auto value = std::string_view(fields[http::field::transfer_encoding]);
  if (value.find_first_of("\r\n") != std::string_view::npos || !is_chunked(trim(value))) {
    return "Transfer-Encoding must be exactly chunked.";
  }
  return std::nullopt;
}

}  // namespace orderly::net
