#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/http_message.hpp"
#include "net/request_context.hpp"
#include "net/router.hpp"

namespace orderly::net {

class Pipeline;

// The rest of the chain after a middleware; calling it runs the next
// middleware, and after the last one, the route's handler.
class Next {
 public:
  boost::asio::awaitable<Response> operator()(RequestContext& context, Request& request) const;

 private:
  friend class Pipeline;
  Next(const Pipeline& pipeline, std::size_t index) : pipeline_(&pipeline), index_(index) {}
  const Pipeline* pipeline_;
  std::size_t index_;
};

// A step every request passes through (request id, tracing, logging, limits;
// later auth, rate limits, idempotency). Implementations are shared by every
// event loop, so `handle` must be safe to run on several threads at once.
class Middleware {
 public:
  virtual ~Middleware() = default;
  virtual boost::asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) = 0;
};

// Middleware, outermost first, in front of a router. The session has already
// matched the route (it needs the route's body limit before reading the body);
// the pipeline's last step dispatches to it, or answers 404/405 as problems.
// A handler's exception becomes a problem response here, never a crash:
// core::ProblemError gives its own status, anything else a 500 without detail.
class Pipeline {
 public:
  explicit Pipeline(const Router& router) : router_(router) {}

  void use(std::shared_ptr<Middleware> middleware) { middleware_.push_back(std::move(middleware)); }
  [[nodiscard]] const Router& router() const { return router_; }

  boost::asio::awaitable<Response> run(RequestContext& context, Request& request) const;

 private:
  friend class Next;
  boost::asio::awaitable<Response> call(std::size_t index, RequestContext& context, Request& request) const;
  boost::asio::awaitable<Response> dispatch(RequestContext& context, Request& request) const;

  const Router& router_;
  std::vector<std::shared_ptr<Middleware>> middleware_;
};

}  // namespace orderly::net
