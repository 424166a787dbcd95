// A request head through Beast's parser, then net/request_framing.cpp (the
// check session.cpp runs): never a crash, and a request it accepts with a
// Transfer-Encoding is one Beast frames as chunked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "net/request_framing.hpp"
#include "property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::empty_body> parser;
  parser.eager(false);
  parser.header_limit(16 * 1024);
  boost::beast::error_code error;
  parser.put(boost::asio::buffer(data, size), error);
  if ((error && error != http::error::need_more) || !parser.is_header_done()) return 0;
  const auto problem = orderly::net::transfer_encoding_problem(parser.get());
  FUZZ_PROPERTY(problem || parser.get().count(http::field::transfer_encoding) == 0 || parser.chunked());
  return 0;
}
