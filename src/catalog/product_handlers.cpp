#include "catalog/product_handlers.hpp"

#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "catalog/catalog_problems.hpp"
#include "catalog/entity_tags.hpp"
#include "catalog/page_cursor.hpp"
#include "catalog/product_json.hpp"
#include "catalog/product_rules.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::size_t kMaxLimit = 100;
constexpr std::size_t kMaxQueryLength = 256;

std::string product_path(const std::string& id) {
  return "/api/v1/products/" + id;
}

std::string path_id(const net::RequestContext& context) {
  const auto id = context.param("id");
  return id ? std::string(*id) : std::string();
}

PageRequest page_request(const std::string& query) {
  PageRequest page;
  const auto parsed = boost::urls::parse_query(query);
  if (!parsed) throw problems::invalid_field("query", "is not a valid query string");
  boost::urls::encoding_opts options;
  options.space_as_plus = true;                                         // q=blue+mug from an HTML form
  for (const auto& param : boost::urls::params_view(query, options)) {  // valid: parsed above
    if (param.key == "q") {
      if (param.value.size() > kMaxQueryLength) throw problems::invalid_field("q", "must be at most 256 bytes");
      if (!is_utf8(param.value)) throw problems::invalid_field("q", "must be UTF-8 text");
      page.q = param.value.empty() ? std::nullopt : std::optional<std::string>(param.value);
    } else if (param.key == "limit") {
      std::size_t limit = 0;
      const auto& text = param.value;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (text.empty() || error != std::errc() || end != text.data() + text.size() || limit < 1 || limit > kMaxLimit) {
        throw problems::invalid_field("limit", "must be an integer from 1 to 100");
      }
      page.limit = limit;
    } else if (param.key == "cursor") {
      if (param.value.empty()) continue;
      const auto after = decode_cursor(param.value);
      if (!after) throw problems::invalid_field("cursor", "is not a cursor this API returned");
      page.after_seq = *after;
    }
  }
  return page;
}

net::Response product_response(int status, const Product& product) {
  auto response = net::Response::json(status, json::serialize(product_to_json(product)));
  response.headers.set("ETag", entity_tag(product.version));
  return response;
}

}  // namespace

asio::awaitable<net::Response> ProductHandlers::list(net::RequestContext&, net::Request& request) {
  auto wanted = page_request(request.query);
  const auto page = co_await products_.page(std::move(wanted));
  json::array items;
  items.reserve(page.items.size());
  for (const auto& product : page.items) items.push_back(product_to_json(product));
  json::object body{
      {"items", std::move(items)},
      {"next_cursor", page.next_after_seq ? json::value(encode_cursor(*page.next_after_seq)) : json::value(nullptr)}};
  co_return net::Response::json(200, json::serialize(body));
}

// Hot path: a cached product costs a cache lookup and a copy of its JSON
// (bench/catalog.sh measures it against /healthz).
asio::awaitable<net::Response> ProductHandlers::get(net::RequestContext& context, net::Request& request) {
  auto id = path_id(context);
  auto view = co_await cache_.get(std::move(id));
  if (!view) throw problems::product_not_found();
  const auto tag = entity_tag(view->version);
  if (const auto if_none_match = request.headers.get("If-None-Match");
      if_none_match && none_match(*if_none_match, view->version)) {
    auto not_modified = net::Response::empty(304);
    not_modified.headers.set("ETag", tag);
    co_return not_modified;
  }
  auto response = net::Response::json(200, std::move(view->json));
  response.headers.set("ETag", tag);
  co_return response;
}

asio::awaitable<net::Response> ProductHandlers::create(net::RequestContext&, net::Request& request) {
  auto draft = parse_product_draft(request);
  Product product;
  try {
    product = co_await products_.create(std::move(draft));
  } catch (const SkuTaken&) {
    throw problems::sku_taken();
  }
  auto response = product_response(201, product);
  response.headers.set("Location", product_path(product.id));
  co_return response;
}

asio::awaitable<net::Response> ProductHandlers::update(net::RequestContext& context, net::Request& request) {
  auto id = path_id(context);
  auto patch = parse_product_patch(request);
  AcceptedVersions accepted;
  if (const auto if_match = request.headers.get("If-Match")) accepted = accepted_versions(*if_match);
  Product product;
  auto& cache = cache_;
  ProductRepository::AlsoInTransaction record_change = [&cache, id](store::Transaction& tx) {
    return cache.changed(tx, {id});
  };
  try {
    product = co_await products_.update(id, std::move(patch), std::move(accepted), nullptr, std::move(record_change));
  } catch (const ProductNotFound&) {
    throw problems::product_not_found();
  } catch (const VersionMismatch& stale) {
    throw problems::stale_version(stale.current_version);
  } catch (const SkuTaken&) {
    throw problems::sku_taken();
  }
  co_await cache_.invalidate(std::move(id));
  co_return product_response(200, product);
}

asio::awaitable<net::Response> ProductHandlers::remove(net::RequestContext& context, net::Request& request) {
  auto id = path_id(context);
  AcceptedVersions accepted;
  if (const auto if_match = request.headers.get("If-Match")) accepted = accepted_versions(*if_match);
  auto& cache = cache_;
  ProductRepository::AlsoInTransaction record_change = [&cache, id](store::Transaction& tx) {
    return cache.changed(tx, {id});
  };
  try {
    co_await products_.remove(id, std::move(accepted), std::move(record_change));
  } catch (const ProductNotFound&) {
    throw problems::product_not_found();
  } catch (const VersionMismatch& stale) {
    throw problems::stale_version(stale.current_version);
  }
  co_await cache_.invalidate(std::move(id));
  co_return net::Response::empty(204);
}

}  // namespace orderly::catalog
