#pragma once

#include "core/random.hpp"
#include "net/pipeline.hpp"

namespace orderly::net {

// W3C Trace Context: joins the caller's trace when it sent a valid
// `traceparent`, else starts one; gives the request its own span (the parent
// of every call it makes) and returns it in a `traceresponse` header
// (Trace Context Level 2) so a client can find the server side of its call.
class TraceMiddleware final : public Middleware {
 public:
  explicit TraceMiddleware(core::Random& random) : random_(random) {}
  boost::asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) override;

 private:
  core::Random& random_;
};

}  // namespace orderly::net
