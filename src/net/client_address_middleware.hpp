#pragma once

#include <string>
#include <vector>

#include "net/pipeline.hpp"

namespace orderly::net {

// Behind a proxy (the orderly gateway, a load balancer), the peer address is
// the proxy's, and limits keyed by client address (login throttling) would
// lump every client together. When the peer is one of `trusted_proxies`,
// this replaces request.remote_address with the right-most address of
// X-Forwarded-For that is not itself a trusted proxy: the hop the trusted
// chain received the request from. A client can prepend anything to the
// header, so nothing left of that hop is believed; from an untrusted peer
// the header is ignored entirely. Addresses compare as text (exact IPs).
class ClientAddressMiddleware final : public Middleware {
 public:
  explicit ClientAddressMiddleware(std::vector<std::string> trusted_proxies)
      : trusted_(std::move(trusted_proxies)) {}
  boost::asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) override;

  // The address to use for `peer` given the X-Forwarded-For value (exposed for tests).
  [[nodiscard]] std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

 private:
  [[nodiscard]] bool trusted(std::string_view address) const;
  std::vector<std::string> trusted_;
};

}  // namespace orderly::net
