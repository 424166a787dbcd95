#include "payments/provider_sim_routes.hpp"

#include <boost/json/serialize.hpp>

#include "core/problem.hpp"
#include "net/json_body.hpp"
#include "payments/provider_wire.hpp"

namespace orderly::payments {
namespace {

namespace json = boost::json;

// Provider requests are small JSON documents.
constexpr std::size_t kProviderBodyLimit = 8 * 1024;
constexpr std::size_t kLongestIdempotencyKey = 255;

std::string idempotency_key(const net::Request& request) {
  const auto key = request.headers.get("Idempotency-Key");
  if (!key || key->empty() || key->size() > kLongestIdempotencyKey) {
    throw core::ProblemError({400, "/problems/idempotency-key-missing", "Idempotency-Key required",
                              "send an Idempotency-Key header of 1 to 255 characters", {}});
  }
  return std::string(*key);
}

std::string authorization_id(const net::RequestContext& context) { return std::string(*context.param("id")); }

using Operation = std::function<boost::asio::awaitable<ProviderResult>(std::string key, net::RequestContext&,
                                                                        const json::object& body)>;

// Runs one provider operation and answers with its result (200) or 503.
net::Handler provider_handler(Operation operation) {
  return [operation = std::move(operation)](net::RequestContext& context,
                                            net::Request& request) -> boost::asio::awaitable<net::Response> {
    auto key = idempotency_key(request);
    const auto body = request.body.empty() ? json::object{} : net::parse_json_object(request);
    try {
      const auto result = co_await operation(std::move(key), context, body);
      co_return net::Response::json(200, json::serialize(wire::result_json(result)));
    } catch (const ProviderUnavailable&) {
    }
    auto response = net::Response::problem(503, "/problems/provider-unavailable", "Provider unavailable",
                                           "a transient failure; retry with the same Idempotency-Key");
    response.headers.set("Retry-After", "1");
    co_return response;
  };
}

}  // namespace

void add_provider_sim_routes(net::Router& router, SimulatedProvider& provider) {
  const net::RouteOptions options{kProviderBodyLimit};
  const std::string base(wire::kAuthorizations);
  router.add("POST", base,
             provider_handler([&provider](std::string key, net::RequestContext&,
                                          const json::object& body) -> boost::asio::awaitable<ProviderResult> {
               auto card = wire::card_from(body);
               auto amount = wire::money_from(body, "amount");
               co_return co_await provider.authorize(std::move(key), std::move(card), std::move(amount));
             }),
             options);
  router.add("POST", base + "/{id}/capture",
             provider_handler([&provider](std::string key, net::RequestContext& context,
                                          const json::object& body) -> boost::asio::awaitable<ProviderResult> {
               auto authorization = authorization_id(context);
               auto amount = wire::money_from(body, "amount");
               co_return co_await provider.capture(std::move(key), std::move(authorization), std::move(amount));
             }),
             options);
  router.add("POST", base + "/{id}/void",
             provider_handler([&provider](std::string key, net::RequestContext& context,
                                          const json::object&) -> boost::asio::awaitable<ProviderResult> {
               auto authorization = authorization_id(context);
               co_return co_await provider.void_authorization(std::move(key), std::move(authorization));
             }),
             options);
  router.add("POST", base + "/{id}/refund",
             provider_handler([&provider](std::string key, net::RequestContext& context,
                                          const json::object& body) -> boost::asio::awaitable<ProviderResult> {
               auto authorization = authorization_id(context);
               auto amount = wire::money_from(body, "amount");
               co_return co_await provider.refund(std::move(key), std::move(authorization), std::move(amount));
             }),
             options);
}

}  // namespace orderly::payments
