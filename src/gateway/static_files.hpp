#pragma once

#include "gateway/gateway_config.hpp"
#include "net/http_message.hpp"

namespace orderly::gateway {

// Serves a file under the route's root for GET and HEAD (others: 405):
// the path after the route's prefix names the file, "/" and folders serve
// their index.html. Never outside the root: dot segments are refused before
// this (has_dot_segment), percent-decoding happens once, and the resolved
// path (symlinks followed) must still be under the resolved root, else 404.
// Strong ETag from size and modification time, If-None-Match -> 304,
// Cache-Control: public, max-age=<cache_max_age>; gzip (zlib) when the client
// accepts it and the type is text-like, with Vary: Accept-Encoding.
//
// Reads the file on the calling thread: meant for the small assets of web/
// (a few hundred KiB at most, from the page cache).
[[nodiscard]] net::Response serve_static(const RouteConfig& route, const net::Request& request);

// gzip-compresses `data` (zlib, gzip wrapper). Exposed for tests.
[[nodiscard]] std::string gzip_compress(std::string_view data);

}  // namespace orderly::gateway
