// Micro-benchmarks of the per-request work outside the socket: route matching,
// RED metrics and response formatting. The whole path, sockets included, is
// measured against nginx by bench/http_plaintext.sh.
#include <benchmark/benchmark.h>

#include "core/metrics.hpp"
#include "net/response_head.hpp"
#include "net/route_metrics.hpp"
#include "net/router.hpp"

namespace orderly::net {
namespace {

Handler noop() {
  return [](RequestContext&, Request&) -> boost::asio::awaitable<Response> { co_return Response::empty(204); };
}

void add_api_routes(Router& router) {
  for (const char* resource : {"orders", "products", "payment-methods", "notifications", "jobs"}) {
    const std::string base = std::string("/api/v1/") + resource;
    router.add("GET", base, noop());
    router.add("POST", base, noop());
    router.add("GET", base + "/{id}", noop());
    router.add("PATCH", base + "/{id}", noop());
    router.add("POST", base + "/{id}/cancel", noop());
  }
}

void BM_RouterMatchWithParameter(benchmark::State& state) {
  Router router;
  add_api_routes(router);
  for (auto _ : state) benchmark::DoNotOptimize(router.match("POST", "/api/v1/orders/8f3a9c/cancel"));
}
BENCHMARK(BM_RouterMatchWithParameter);

void BM_RouteMetricsRecord(benchmark::State& state) {
  Router router;
  add_api_routes(router);
  core::metrics::Registry registry;
  RouteMetrics metrics(registry, router);
  const auto* route = router.match("GET", "/api/v1/orders/1").route;
  for (auto _ : state) metrics.record(route, "GET", 200, 0.0003);
}
BENCHMARK(BM_RouteMetricsRecord)->Threads(1)->Threads(2);

void BM_FormatResponseHead(benchmark::State& state) {
  auto response = Response::json(200, R"({"status":"ok"})");
  response.headers.set("X-Request-Id", "0123456789abcdef0123456789abcdef");
  response.headers.set("traceresponse", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const std::string date = "Sat, 21 Nov 2026 10:00:00 GMT";
  for (auto _ : state) benchmark::DoNotOptimize(format_response_head(response, 11, false, date));
}
BENCHMARK(BM_FormatResponseHead);

}  // namespace
}  // namespace orderly::net
