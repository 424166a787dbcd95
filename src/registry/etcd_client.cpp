#include "registry/etcd_client.hpp"

#include <openssl/evp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace orderly::registry {
namespace {

namespace json = boost::json;

// A string field that etcd may leave out when it holds its zero value.
std::string text_field(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr) return {};
  if (const auto* text = value->if_string()) return std::string(*text);
  if (value->is_int64()) return std::to_string(value->as_int64());
  throw EtcdError("etcd: field " + std::string(name) + " is not a string");
}

json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec || !value.is_object()) throw EtcdError("etcd: the answer is not a JSON object");
  return std::move(value.as_object());
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) throw EtcdError("etcd: a key or value is not base64");
  std::string out(3 * (text.size() / 4), '\0');
  const int written =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (written < 0) throw EtcdError("etcd: a key or value is not base64");
  // EVP_DecodeBlock counts the padding as zero bytes: drop them.
  std::size_t size = static_cast<std::size_t>(written);
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

std::string prefix_end(std::string prefix) {
  // The next key after every key with this prefix: increment the last byte
  // that is not 0xff and drop what follows it.
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // etcd: every key
}

EtcdClient::EtcdClient(net::HttpClient& http, core::HostPort endpoint, std::chrono::milliseconds timeout)
    : EtcdClient(http, std::vector<core::HostPort>{std::move(endpoint)}, timeout) {}

EtcdClient::EtcdClient(net::HttpClient& http, std::vector<core::HostPort> members, std::chrono::milliseconds timeout)
    : http_(http), members_(std::move(members)), timeout_(timeout) {
  if (members_.empty()) throw std::invalid_argument("an etcd client needs at least one member");
}

boost::asio::awaitable<std::string> EtcdClient::post(std::string path, std::string body) {
  const auto first = current_.load(std::memory_order_relaxed);
  std::string failures;
  // Each member once, from the one that answered last. Every call of the
  // registry may be repeated (a put or a keep-alive twice is the same; a
  // second grant is a lease that nobody renews and that expires).
  for (std::size_t tried = 0; tried < members_.size(); ++tried) {
    const auto index = (first + tried) % members_.size();
    const auto& member = members_[index];
    net::Request request;
    request.method = "POST";
    request.target = path;
    request.path = path;
    request.headers.set("Content-Type", "application/json");
    request.body = body;
    std::string failure;
    net::Response response;
    try {
      response = co_await http_.send(member, std::move(request), timeout_);
    } catch (const net::HttpClientError& error) {
      failure = error.what();
    }
    if (failure.empty() && response.status < 500) {
      if (response.status != 200) {
        throw EtcdError("etcd at " + member.to_string() + " answered " + std::to_string(response.status));
      }
      if (index != first) current_.store(index, std::memory_order_relaxed);
      co_return std::move(response.body);
    }
    if (failure.empty()) failure = "answered " + std::to_string(response.status);
    failures += (failures.empty() ? "" : "; ") + ("etcd at " + member.to_string() + ": " + failure);
  }
  throw EtcdError(failures);
}

boost::asio::awaitable<std::string> EtcdClient::grant(std::chrono::seconds ttl) {
  std::string path = "/v3/lease/grant";
  auto request = json::serialize(json::object{{"TTL", ttl.count()}});
  const auto body = co_await post(std::move(path), std::move(request));
  auto id = text_field(parse_object(body), "ID");
  if (id.empty()) throw EtcdError("etcd granted no lease");
  co_return id;
}

boost::asio::awaitable<bool> EtcdClient::keep_alive(std::string lease) {
  std::string path = "/v3/lease/keepalive";
  auto request = json::serialize(json::object{{"ID", lease}});
  const auto body = co_await post(std::move(path), std::move(request));
  const auto answer = parse_object(body);
  const auto* result = answer.if_contains("result");
  if (result == nullptr || !result->is_object()) throw EtcdError("etcd: a keep-alive answer without a result");
  // An unknown lease is answered 200 with no TTL (see the notes).
  const auto ttl = text_field(result->as_object(), "TTL");
  co_return !ttl.empty() && ttl != "0";
}

boost::asio::awaitable<void> EtcdClient::revoke(std::string lease) {
  std::string path = "/v3/lease/revoke";
  auto request = json::serialize(json::object{{"ID", lease}});
  static_cast<void>(co_await post(std::move(path), std::move(request)));
}

boost::asio::awaitable<void> EtcdClient::put(std::string key, std::string value, std::string lease) {
  json::object fields{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (!lease.empty()) fields["lease"] = lease;
  std::string path = "/v3/kv/put";
  auto request = json::serialize(fields);
  static_cast<void>(co_await post(std::move(path), std::move(request)));
}

boost::asio::awaitable<RangeResult> EtcdClient::range(std::string prefix) {
  if (prefix.empty()) throw std::invalid_argument("an etcd range needs a prefix");
  const auto end = prefix_end(prefix);
  std::string path = "/v3/kv/range";
  auto request = json::serialize(json::object{{"key", base64_encode(prefix)}, {"range_end", base64_encode(end)}});
  const auto body = co_await post(std::move(path), std::move(request));
  const auto answer = parse_object(body);
  RangeResult result;
  if (const auto* header = answer.if_contains("header"); header != nullptr && header->is_object()) {
    result.revision = text_field(header->as_object(), "revision");
  }
  if (const auto* kvs = answer.if_contains("kvs")) {  // absent when the range is empty
    if (!kvs->is_array()) throw EtcdError("etcd: kvs is not an array");
    for (const auto& entry : kvs->as_array()) {
      if (!entry.is_object()) throw EtcdError("etcd: a kv is not an object");
      result.entries.push_back({base64_decode(text_field(entry.as_object(), "key")),
                                base64_decode(text_field(entry.as_object(), "value"))});
    }
  }
  co_return result;
}

}  // namespace orderly::registry
