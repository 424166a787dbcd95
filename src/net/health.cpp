#include "net/health.hpp"

#include <exception>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"

namespace orderly::net {

void HealthRegistry::add(std::string name, HealthCheck check) {
  checks_.emplace_back(std::move(name), std::move(check));
}

void HealthRegistry::install(Router& router) const {
  router.add("GET", "/healthz", [](RequestContext&, Request&) -> boost::asio::awaitable<Response> {
    co_return Response::json(200, R"({"status":"ok"})");
  });
  router.add("GET", "/readyz",
             [this](RequestContext&, Request&) -> boost::asio::awaitable<Response> { return readiness(); });
}

boost::asio::awaitable<Response> HealthRegistry::readiness() const {
  boost::json::array results;
  std::string failed;
  const auto record = [&](const std::string& name, const HealthStatus& status) {
    boost::json::object entry{{"name", name}, {"status", status.up ? "up" : "down"}};
    if (!status.detail.empty()) entry["detail"] = status.detail;
    results.push_back(std::move(entry));
    if (!status.up) failed += failed.empty() ? name : ", " + name;
  };

  record("server", draining_.load(std::memory_order_relaxed) ? HealthStatus{false, "draining"} : HealthStatus{});
  for (const auto& [name, check] : checks_) {
    HealthStatus status;
    try {
      status = co_await check();
    } catch (const std::exception& error) {
      // The body is public: the exception's text (hosts, users) goes to the log only.
      core::log::error("health.check_failed", {{"check", name}, {"error", error.what()}});
      status = {false, "check failed"};
    }
    record(name, status);
  }

  boost::json::object body{{"status", failed.empty() ? "ready" : "not_ready"}, {"checks", std::move(results)}};
  if (!failed.empty()) body["failed"] = failed;
  co_return Response::json(failed.empty() ? 200 : 503, boost::json::serialize(body));
}

}  // namespace orderly::net
