#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/metrics.hpp"
#include "net/router.hpp"

namespace orderly::net {

// RED metrics per route template: orderly_http_requests_total{method,route,status}
// and orderly_http_request_duration_seconds{method,route}.
//
// Hot path: record() runs once per request on every event loop. It finds the
// series through a small lock-free cache per route instead of the family's
// locked map; bench/ http_plaintext.sh measures the whole request path.
class RouteMetrics {
 public:
  RouteMetrics(core::metrics::Registry& registry, const Router& router);
  ~RouteMetrics();
  RouteMetrics(const RouteMetrics&) = delete;
  RouteMetrics& operator=(const RouteMetrics&) = delete;

  // `route` is null for requests that matched none (label route="unmatched").
  void record(const Route* route, std::string_view method, int status, double seconds);

  // Methods outside GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS are labelled
  // OTHER, so a client cannot grow the label set.
  [[nodiscard]] static std::string_view method_label(std::string_view method);

 private:
  struct Slot;
  core::metrics::Family<core::metrics::Counter>& requests_;
  core::metrics::Family<core::metrics::Histogram>& durations_;
  std::vector<std::unique_ptr<Slot>> slots_;  // one per route, then one for unmatched
  std::vector<std::string> labels_;           // route label per slot
};

}  // namespace orderly::net
