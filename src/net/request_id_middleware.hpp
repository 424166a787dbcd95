#pragma once

#include "core/random.hpp"
#include "net/pipeline.hpp"

namespace orderly::net {

// Gives every request an id and every response an X-Request-Id header. A
// client's own id is kept when it is sane (core::is_sane_request_id), so a
// caller can follow its request through our logs.
class RequestIdMiddleware final : public Middleware {
 public:
  explicit RequestIdMiddleware(core::Random& random) : random_(random) {}
  boost::asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) override;

 private:
  core::Random& random_;
};

}  // namespace orderly::net
