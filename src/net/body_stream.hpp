#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace orderly::net {

// A response body written while it is produced (Server-Sent Events): the
// session sends each piece at once as an HTTP/1.1 chunk, never buffering the
// whole body, and closes the connection after the last one. Lives on the
// session's loop; `next` runs there, one call at a time.
class BodyStream {
 public:
  virtual ~BodyStream() = default;

  // The next bytes to send; nullopt when the body is complete. An empty
  // string sends nothing and asks again: a producer returns one at least
  // every second or so while it has nothing to say, so that the session can
  // notice a drain and end the stream instead of holding the server.
  virtual boost::asio::awaitable<std::optional<std::string>> next() = 0;
};

}  // namespace orderly::net
