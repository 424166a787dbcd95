#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

// The checks the session adds on top of Beast's parser to decide how a
// request's body is framed, sans I/O so unit tests and fuzz targets call the
// same function net/session.cpp calls.
namespace orderly::net {

// Why the request's framing is refused (a 400 detail), or nothing. The only
// Transfer-Encoding accepted is one field whose value is exactly `chunked`
// (any case, optional whitespace): Beast only looks at the last coding, so
// `identity, chunked`, `gzip, chunked` (we decode no gzip) or an obs-folded
// value would be read as chunked here and possibly not by a proxy in front
// (request smuggling, RFC 9112 6.1 and 5.2).
[[nodiscard]] std::optional<std::string> transfer_encoding_problem(const boost::beast::http::fields& fields);

// Feeds Beast's request parser the way the session does (one step a call:
// the parser is not eager) and adds a check Beast 1.81 lacks. Beast scans a
// quoted chunk-extension value ("5;a=\"x\"") to its closing quote even past
// the end of the chunk-size line, so on `5;a="` CRLF it waits for more bytes,
// where a proxy in front (http-parser, nginx) ends the line at its CRLF and
// forwards the next request on the connection, which Beast would then read as
// part of this chunk line: the two disagree on where the request ends. A
// chunk line whose quoted string is still open at the line's CR is refused
// here as bad_chunk_extension, before Beast reads it. To know where chunk
// lines start, it follows the chunk sizes Beast reports (on_chunk_header) and
// the body bytes each step consumes.
class RequestReader {
 public:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  // Attaches to `parser` before any of its body is read; both must outlive it.
  explicit RequestReader(Parser& parser);
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // One parser.put of the front of `bytes`; returns the bytes consumed.
  std::size_t put(std::string_view bytes, boost::beast::error_code& error);

 private:
  Parser& parser_;
  std::function<void(std::uint64_t, boost::beast::string_view, boost::beast::error_code&)> on_chunk_header_;
  std::optional<std::uint64_t> reported_size_;  // the size of the chunk line the last step read
  bool at_chunk_line_ = false;                  // the next byte starts a chunk-size line...
  bool after_chunk_data_ = false;               // ...after a chunk's data, so with its CRLF first
  std::uint64_t chunk_left_ = 0;                // data bytes of the current chunk not yet read
};

}  // namespace orderly::net
