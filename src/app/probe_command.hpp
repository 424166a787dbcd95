#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace orderly::app {

// `orderly probe URL`: one HTTP/1.1 GET, for container health checks (the
// runtime image has no curl). Exit 0 on a 2xx answer, 1 on any other status,
// a refused connection or the timeout, 2 on a URL it does not take (only
// `http://HOST:PORT/PATH`; TLS listeners are probed on their ops listener).
// Blocking, one connection, nothing logged but one line on stderr on failure.
int probe(std::string_view url, std::chrono::milliseconds timeout);

// The status code of one GET of `url`; throws std::invalid_argument for a URL
// it does not take and std::runtime_error when no answer came in time.
int probe_status(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace orderly::app
