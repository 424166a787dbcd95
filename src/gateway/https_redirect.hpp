#pragma once

#include <cstdint>

#include "net/pipeline.hpp"

namespace orderly::gateway {

// On a plaintext listener with redirect_to_https: every request (local
// health routes aside, so probes still work) gets 308 Permanent Redirect to
// the same host, path and query on the TLS listener's port. 308 keeps the
// method and body (RFC 9110 15.4.9).
class HttpsRedirectMiddleware final : public net::Middleware {
 public:
  explicit HttpsRedirectMiddleware(std::uint16_t https_port) : https_port_(https_port) {}
  boost::asio::awaitable<net::Response> handle(net::RequestContext& context, net::Request& request,
                                               net::Next next) override;

 private:
  std::uint16_t https_port_;
};

}  // namespace orderly::gateway
