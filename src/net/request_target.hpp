#pragma once

#include "net/http_message.hpp"

namespace orderly::net {

// Fills request.path and request.query from request.target: origin-form
// ("/a?b") or, as RFC 9112 3.2.2 requires servers to accept, absolute-form
// ("http://host/a?b", http or https with a host). False for anything else (the
// session answers 400). Sans-I/O, so the router fuzz target calls it too.
[[nodiscard]] bool split_target(Request& request);

}  // namespace orderly::net
