#include "net/request_framing.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <boost/asio/buffer.hpp>

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

namespace {

// Whether the chunk-size line at the front of `bytes` still has a quoted
// string open at its CR, reading quotes as Beast does (a backslash escapes
// the next byte, whatever it is). After a chunk's data the line starts with
// that data's CRLF (Beast checks it). A line whose CR has not arrived is no
// problem yet: both Beast and a proxy wait for it.
bool quote_open_at_line_end(std::string_view bytes, bool after_chunk_data) {
  if (after_chunk_data) {
    if (bytes.size() < 2) return false;
    bytes.remove_prefix(2);
  }
  bool quoted = false;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\r') return quoted;
    if (!quoted) {
      quoted = c == '"';
    } else if (c == '"') {
      quoted = false;
    } else if (c == '\\' && ++i < bytes.size() && bytes[i] == '\r') {
      return true;  // the escape would take the line's CR
    }
  }
  return false;
}

}  // namespace

RequestReader::RequestReader(Parser& parser)
    : parser_(parser),
      on_chunk_header_([this](std::uint64_t size, boost::beast::string_view, boost::beast::error_code&) {
        reported_size_ = size;
      }) {
  parser_.on_chunk_header(on_chunk_header_);
}

std::size_t RequestReader::put(std::string_view bytes, boost::beast::error_code& error) {
  if (at_chunk_line_ && quote_open_at_line_end(bytes, after_chunk_data_)) {
    error = http::error::bad_chunk_extension;
    return 0;
  }
  const bool head_was_done = parser_.is_header_done();
  reported_size_.reset();
  const auto used = parser_.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
  if (error) return used;  // need_more consumed nothing: the same line is checked again with more bytes
  if (!head_was_done) {
    // The step that ends the head reads nothing after it (not eager).
    at_chunk_line_ = parser_.is_header_done() && parser_.chunked();
    after_chunk_data_ = false;
  } else if (reported_size_) {
    at_chunk_line_ = false;  // a chunk's data follows; after the last chunk (0), nothing
    chunk_left_ = *reported_size_;
  } else if (!at_chunk_line_ && parser_.chunked()) {
    chunk_left_ -= std::min<std::uint64_t>(used, chunk_left_);
    if (chunk_left_ == 0) {
      at_chunk_line_ = true;
      after_chunk_data_ = true;
    }
  }
  return used;
}

}  // namespace orderly::net
