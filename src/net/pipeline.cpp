#include "net/pipeline.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "core/logging.hpp"
#include "core/service_unavailable.hpp"

namespace orderly::net {
namespace {

Response internal_error(const RequestContext& context) {
  return Response::problem(500, "/problems/internal", "Internal Server Error",
                           "The request failed; quote request id " + context.request_id + " when reporting it.");
}

void log_failure(const RequestContext& context, std::string_view where, const std::exception& error) {
  core::log::error("http.handler_failed",
                   {{"where", where},
                    {"route", context.route != nullptr ? context.route->path_template : std::string("-")},
                    {"request_id", context.request_id},
                    {"trace_id", context.trace.trace_id},
                    {"error", error.what()}});
}

// A service this one calls could not answer: the client may retry, so 503
// with the callee's hint, and the callee named in the log (not in the body).
Response service_unavailable(const RequestContext& context, const core::ServiceUnavailable& error) {
  core::log::warn("http.dependency_unavailable",
                  {{"service", error.service()},
                   {"route", context.route != nullptr ? context.route->path_template : std::string("-")},
                   {"request_id", context.request_id},
                   {"error", error.what()}});
  auto response = Response::problem(503, "/problems/service-unavailable", "Service Unavailable",
                                    "A service this request needs is unavailable; retry later.");
  response.headers.set("Retry-After", std::to_string(std::max<long>(1, error.retry_after().count())));
  return response;
}

// A lower layer (the database) cannot answer now: the same 503 as for a service.
Response temporarily_unavailable(const RequestContext& context, const core::TemporarilyUnavailable& error) {
  const auto* exception = dynamic_cast<const std::exception*>(&error);
  return service_unavailable(context, core::ServiceUnavailable(error.dependency(),
                                                               exception != nullptr ? exception->what() : "unavailable",
                                                               error.retry_after()));
}

}  // namespace

boost::asio::awaitable<Response> Next::operator()(RequestContext& context, Request& request) const {
  return pipeline_->call(index_, context, request);
}

boost::asio::awaitable<Response> Pipeline::run(RequestContext& context, Request& request) const {
  try {
    co_return co_await call(0, context, request);
  } catch (const core::ProblemError& error) {
    co_return Response::problem(error.problem());
  } catch (const core::ServiceUnavailable& error) {
    co_return service_unavailable(context, error);
  } catch (const core::TemporarilyUnavailable& error) {
    co_return temporarily_unavailable(context, error);
  } catch (const std::exception& error) {
    log_failure(context, "middleware", error);
    co_return internal_error(context);
  }
}

boost::asio::awaitable<Response> Pipeline::call(std::size_t index, RequestContext& context, Request& request) const {
  if (index < middleware_.size()) {
    return middleware_[index]->handle(context, request, Next(*this, index + 1));
  }
  return dispatch(context, request);
}

boost::asio::awaitable<Response> Pipeline::dispatch(RequestContext& context, Request& request) const {
  if (context.early_response) co_return std::move(*context.early_response);
  if (context.route == nullptr) {
    if (context.allow.empty()) {
      co_return Response::problem(404, "/problems/not-found", "Not Found", "No resource at this path.");
    }
    auto response = Response::problem(405, "/problems/method-not-allowed", "Method Not Allowed",
                                      "This path accepts: " + context.allow + ".");
    response.headers.set("Allow", context.allow);
    co_return response;
  }
  try {
    co_return co_await context.route->handler(context, request);
  } catch (const core::ProblemError& error) {
    co_return Response::problem(error.problem());
  } catch (const core::ServiceUnavailable& error) {
    co_return service_unavailable(context, error);
  } catch (const core::TemporarilyUnavailable& error) {
    co_return temporarily_unavailable(context, error);
  } catch (const std::exception& error) {
    log_failure(context, "handler", error);
    co_return internal_error(context);
  }
}

}  // namespace orderly::net
