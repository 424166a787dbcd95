#include "payments/payment_method_routes.hpp"

#include <sodium.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/access.hpp"
#include "net/json_body.hpp"
#include "payments/new_card.hpp"

namespace orderly::payments {
namespace {

namespace json = boost::json;

// Cards are small; the limit keeps a hostile client from making us parse megabytes.
constexpr std::size_t kCardBodyLimit = 4 * 1024;

json::object card_json(const SavedCard& card) {
  return {{"id", card.id},
          {"brand", card.brand},
          {"last4", card.last4},
          {"exp_month", card.exp_month},
          {"exp_year", card.exp_year},
          {"created_at", card.created_at}};
}

// The body holds the number and the CVC: overwrite it whatever happens next.
struct WipeOnExit {
  std::string& body;
  ~WipeOnExit() {
    if (!body.empty()) sodium_memzero(body.data(), body.size());
  }
};

}  // namespace

void add_payment_method_routes(net::Router& router, StoreCardVault& vault, const core::Clock& clock) {
  router.add(
      "POST", "/api/v1/payment-methods",
      auth::require_user([&vault, &clock](net::RequestContext& context,
                                          net::Request& request) -> boost::asio::awaitable<net::Response> {
        auto card = [&] {
          const WipeOnExit wipe{request.body};
          auto body = net::parse_json_object(request);
          return parse_new_card(body, clock);
        }();
        try {
          const auto saved = co_await vault.save(auth::caller(context).user_id, std::move(card));
          co_return net::Response::json(201, json::serialize(card_json(saved)));
        } catch (const TooManyCards&) {
          co_return net::Response::problem(
              409, "/problems/too-many-cards", "Too many cards",
              "at most " + std::to_string(StoreCardVault::kMostCardsSaved) + " cards may be saved per account");
        }
      }),
      net::RouteOptions{kCardBodyLimit});

  router.add("GET", "/api/v1/payment-methods",
             auth::require_user([&vault](net::RequestContext& context,
                                         net::Request&) -> boost::asio::awaitable<net::Response> {
               const auto cards = co_await vault.list(auth::caller(context).user_id);
               json::array items;
               for (const auto& card : cards) items.push_back(card_json(card));
               json::object body{{"items", std::move(items)}, {"next_cursor", nullptr}};
               co_return net::Response::json(200, json::serialize(body));
             }));
}

}  // namespace orderly::payments
