#pragma once

#include <optional>
#include <string>

#include <boost/beast/http/fields.hpp>

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

}  // namespace orderly::net
