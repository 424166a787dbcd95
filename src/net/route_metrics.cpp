#include "net/route_metrics.hpp"

#include <string>

namespace orderly::net {
namespace {

constexpr std::array<std::string_view, 8> kMethods = {"GET",   "HEAD",   "POST",    "PUT",
                                                      "PATCH", "DELETE", "OPTIONS", "OTHER"};

std::size_t method_index(std::string_view method) {
  for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) return i;
  }
  return kMethods.size() - 1;
}

}  // namespace

// Series already created for one route. A counter entry is published by first
// claiming its key with a compare-exchange, then storing the pointer; a reader
// that sees the key before the pointer takes the slow path once.
struct RouteMetrics::Slot {
  static constexpr std::size_t kEntries = 32;
  struct Entry {
    std::atomic<std::uint32_t> key{0};  // status * 16 + method index + 1; 0 is free
    std::atomic<core::metrics::Counter*> counter{nullptr};
  };
  std::array<Entry, kEntries> entries;
  std::array<std::atomic<core::metrics::Histogram*>, kMethods.size()> histograms{};
};

RouteMetrics::RouteMetrics(core::metrics::Registry& registry, const Router& router)
    : requests_(registry.counter("orderly_http_requests_total", "HTTP requests answered, by route template and status.",
                                 {"method", "route", "status"})),
      durations_(registry.histogram("orderly_http_request_duration_seconds",
                                    "Time from a request's first header byte to its response, by route template.",
                                    {"method", "route"}, core::metrics::latency_buckets())) {
  // One series per registered route, so the routes a process serves can be
  // read from a scrape: the OpenAPI contract test compares them with
  // docs/openapi.yaml, and a dashboard can list routes that had no traffic.
  auto& routes = registry.gauge("orderly_http_route_info", "Always 1: a route this listener serves.",
                                {"method", "route"});
  for (const auto& route : router.routes()) {
    labels_.push_back(route->path_template);
    routes.with_labels({route->method, route->path_template}).set(1);
  }
  labels_.emplace_back("unmatched");
  for (std::size_t i = 0; i < labels_.size(); ++i) slots_.push_back(std::make_unique<Slot>());
}

RouteMetrics::~RouteMetrics() = default;

std::string_view RouteMetrics::method_label(std::string_view method) {
  return kMethods[method_index(method)];
}

void RouteMetrics::record(const Route* route, std::string_view method, int status, double seconds) {
  const auto slot_index = route != nullptr && route->index < slots_.size() - 1 ? route->index : slots_.size() - 1;
  auto& slot = *slots_[slot_index];
  const auto method_at = method_index(method);
  const auto key = static_cast<std::uint32_t>(status) * 16U + static_cast<std::uint32_t>(method_at) + 1U;

  core::metrics::Counter* counter = nullptr;
  for (auto& entry : slot.entries) {
    auto seen = entry.key.load(std::memory_order_acquire);
    if (seen == 0 && entry.key.compare_exchange_strong(seen, key, std::memory_order_acq_rel)) {
      counter = &requests_.with_labels({std::string(kMethods[method_at]), labels_[slot_index], std::to_string(status)});
      entry.counter.store(counter, std::memory_order_release);
      break;
    }
    if (seen == key) {
      counter = entry.counter.load(std::memory_order_acquire);
      break;
    }
  }
  if (counter == nullptr) {  // cache full, or another thread is publishing this entry
    counter = &requests_.with_labels({std::string(kMethods[method_at]), labels_[slot_index], std::to_string(status)});
  }
  counter->inc();

  auto* histogram = slot.histograms[method_at].load(std::memory_order_acquire);
  if (histogram == nullptr) {
    histogram = &durations_.with_labels({std::string(kMethods[method_at]), labels_[slot_index]});
    slot.histograms[method_at].store(histogram, std::memory_order_release);
  }
  histogram->observe(seconds);
}

}  // namespace orderly::net
