#include "net/client_address_middleware.hpp"

#include <algorithm>

namespace orderly::net {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool ClientAddressMiddleware::trusted(std::string_view address) const {
  return std::find(trusted_.begin(), trusted_.end(), address) != trusted_.end();
}

std::string ClientAddressMiddleware::client_address(const std::string& peer, std::string_view forwarded_for) const {
  if (!trusted(peer)) return peer;
  std::string client = peer;
  // Walk from the right: each entry was appended by the hop after it.
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto entry = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (entry.empty() || entry.size() > 64) break;  // malformed: stop at the last trusted hop
    client = std::string(entry);
    if (!trusted(entry)) break;
  }
  return client;
}

boost::asio::awaitable<Response> ClientAddressMiddleware::handle(RequestContext& context, Request& request,
                                                                 Next next) {
  if (!trusted_.empty()) {
    if (const auto forwarded_for = request.headers.get("X-Forwarded-For")) {
      request.remote_address = client_address(request.remote_address, *forwarded_for);
    }
  }
  co_return co_await next(context, request);
}

}  // namespace orderly::net
