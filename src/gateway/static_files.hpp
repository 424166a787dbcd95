#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "gateway/gateway_config.hpp"
#include "net/http_message.hpp"

namespace orderly::gateway {

// Serves a file under the route's root for GET and HEAD (others: 405):
// the path after the route's prefix names the file, "/" and folders serve
// their index.html. Never outside the root: dot segments are refused before
// this (has_dot_segment), percent-decoding happens once, and the resolved
// path (symlinks followed) must still be under the resolved root, else 404.
// Strong ETag from size and modification time, If-None-Match -> 304,
// Cache-Control from cache_control_for; gzip (zlib) when the client accepts
// it and the type is text-like, with Vary: Accept-Encoding. Every answer
// carries the page security headers (add_page_security_headers).
//
// Reads the file on the calling thread: meant for the small assets of web/
// (a few hundred KiB at most, from the page cache).
[[nodiscard]] net::Response serve_static(const RouteConfig& route, const net::Request& request);

// The policy of the pages: scripts, styles, images and fetches from this
// origin only (no inline script or style, no eval, no plugin), never framed.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Content-Security-Policy, X-Content-Type-Options: nosniff, Referrer-Policy:
// no-referrer (a page URL with a reset token never leaks to another site),
// X-Frame-Options: DENY (frame-ancestors for older browsers),
// Cross-Origin-Opener-Policy: same-origin.
void add_page_security_headers(net::Headers& headers);

// True for a name with a content hash before its extension, as a build step
// names its output: "app.3f9a1c2e.js", "site.0123456789abcdef.css" (8 to 64
// hex digits). Such a file never changes under its name.
[[nodiscard]] bool is_fingerprinted(std::string_view filename);

// A year and `immutable` for fingerprinted files; `no-cache` (revalidate
// with the ETag every time) for HTML, so a new release shows at once;
// `public, max-age=<max_age>` for the rest.
[[nodiscard]] std::string cache_control_for(std::string_view filename, std::chrono::seconds max_age);

// gzip-compresses `data` (zlib, gzip wrapper). Exposed for tests.
[[nodiscard]] std::string gzip_compress(std::string_view data);

}  // namespace orderly::gateway
