#include "catalog/product_cache.hpp"

#include <charconv>
#include <stdexcept>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cache/cache_aside.hpp"
#include "catalog/product_json.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;

// The cached form: "<version>\n<json>", so a hit needs no JSON parse to make
// its ETag.
std::string encode(const Product& product) {
  return std::to_string(product.version) + '\n' + boost::json::serialize(product_to_json(product));
}

std::optional<ProductView> decode(const std::string& cached) {
  const auto newline = cached.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  ProductView view;
  const auto [end, error] = std::from_chars(cached.data(), cached.data() + newline, view.version);
  if (error != std::errc() || end != cached.data() + newline) return std::nullopt;
  view.json = cached.substr(newline + 1);
  return view;
}

// Thrown by the loader so that a missing product is not stored in the cache.
struct NotFoundSignal {};

}  // namespace

asio::awaitable<std::optional<ProductView>> ProductCache::get(std::string id) {
  if (!is_plausible_id(id)) co_return std::nullopt;
  // Hot path: a hit builds no loader (get_or_load would look again first).
  auto cache_key = key(id);
  auto hit = co_await cache_.get(cache_key);
  if (hit) {
    if (auto view = decode(*hit)) co_return view;
  }
  auto& products = products_;
  cache::SingleFlight::Loader load = [&products, id]() -> asio::awaitable<std::string> {
    const auto product = co_await products.find(id);
    if (!product) throw NotFoundSignal{};
    co_return encode(*product);
  };
  std::string cached;
  try {
    cached = co_await cache::get_or_load(cache_, flights_, std::move(cache_key), ttl_, std::move(load));
  } catch (const NotFoundSignal&) {
    co_return std::nullopt;
  }
  auto view = decode(cached);
  if (!view) throw std::runtime_error("catalog cache entry malformed");  // only our own encode writes it
  co_return view;
}

asio::awaitable<void> ProductCache::changed(store::Transaction& tx, std::vector<std::string> product_ids) {
  if (durable_ == nullptr || product_ids.empty()) co_return;
  boost::json::array ids;
  for (auto& id : product_ids) ids.emplace_back(std::move(id));
  queue::Message message{"",  // filled in by the outbox
                         std::string(kCacheQueue),
                         std::string(kProductsChangedType),
                         1,
                         boost::json::serialize(boost::json::object{{"product_ids", std::move(ids)}}),
                         "",
                         ""};
  co_await durable_->write(tx, std::move(message));
}

asio::awaitable<void> ProductCache::invalidate(std::string id) {
  auto cache_key = key(id);
  co_await cache_.erase(std::move(cache_key));
}

}  // namespace orderly::catalog
