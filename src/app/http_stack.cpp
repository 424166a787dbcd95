#include "app/http_stack.hpp"

#include "net/client_address_middleware.hpp"
#include "net/inflight_limit_middleware.hpp"
#include "net/observe_middleware.hpp"
#include "net/request_id_middleware.hpp"
#include "net/trace_middleware.hpp"

namespace orderly::app {

PublicPipeline::PublicPipeline(const net::Router& router, const core::Config& config, core::metrics::Registry& metrics,
                               const core::Clock& clock, core::Random& random,
                               std::vector<std::shared_ptr<net::Middleware>> inner)
    : route_metrics(metrics, router), pipeline(router) {
  pipeline.use(std::make_shared<net::RequestIdMiddleware>(random));
  pipeline.use(std::make_shared<net::TraceMiddleware>(random));
  pipeline.use(std::make_shared<net::ObserveMiddleware>(route_metrics, clock, config.log.access_log));
  pipeline.use(std::make_shared<net::InflightLimitMiddleware>(config.http.max_inflight_requests, metrics));
  if (!config.http.trusted_proxies.empty()) {
    pipeline.use(std::make_shared<net::ClientAddressMiddleware>(config.http.trusted_proxies));
  }
  for (auto& middleware : inner) pipeline.use(std::move(middleware));
}

std::unique_ptr<net::Pipeline> make_ops_pipeline(const net::Router& router, core::Random& random) {
  auto pipeline = std::make_unique<net::Pipeline>(router);
  pipeline->use(std::make_shared<net::RequestIdMiddleware>(random));
  pipeline->use(std::make_shared<net::TraceMiddleware>(random));
  return pipeline;
}

std::unique_ptr<net::Pipeline> make_internal_pipeline(const net::Router& router, core::Random& random,
                                                      std::shared_ptr<net::Middleware> credentials) {
  auto pipeline = make_ops_pipeline(router, random);
  pipeline->use(std::move(credentials));
  return pipeline;
}

}  // namespace orderly::app
