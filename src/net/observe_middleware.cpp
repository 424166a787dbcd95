#include "net/observe_middleware.hpp"

#include <array>
#include <chrono>

#include <boost/json/monotonic_resource.hpp>

#include "core/logging.hpp"

namespace orderly::net {

boost::asio::awaitable<Response> ObserveMiddleware::handle(RequestContext& context, Request& request, Next next) {
  auto response = co_await next(context, request);
  const std::chrono::duration<double> elapsed = clock_.monotonic() - context.started;
  metrics_.record(context.route, request.method, response.status, elapsed.count());

  if (access_log_ && core::log::enabled(core::log::Level::info)) {
    constexpr std::size_t kMaxLoggedPath = 256;
    // The event's fields live in a stack buffer: no heap allocation per field.
    std::array<unsigned char, 2048> storage;
    boost::json::monotonic_resource arena(storage.data(), storage.size());
    core::log::write_batched(
        core::log::Level::info, "http.request",
        boost::json::object({{"method", RouteMetrics::method_label(request.method)},
                             {"route", context.route != nullptr ? std::string_view(context.route->path_template)
                                                                : std::string_view("unmatched")},
                             {"path", std::string_view(request.path).substr(0, kMaxLoggedPath)},
                             {"status", response.status},
                             {"duration_us", std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()},
                             {"bytes_in", request.body.size()},
                             {"bytes_out", response.body.size()},
                             {"remote", request.remote_address},
                             {"request_id", context.request_id},
                             {"trace_id", context.trace.trace_id},
                             {"span_id", context.trace.span_id},
                             {"parent_span_id", context.trace.parent_span_id}},
                            &arena));
  }
  co_return response;
}

}  // namespace orderly::net
