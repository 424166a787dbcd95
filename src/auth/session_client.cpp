#include "auth/session_client.hpp"

namespace orderly::auth {
namespace {
constexpr std::size_t kMaxUserAgentBytes = 200;
}  // namespace

SessionClient session_client_of(const net::Request& request) {
  SessionClient client;
  const auto agent = request.headers.get("User-Agent").value_or("");
  client.user_agent.reserve(std::min(agent.size(), kMaxUserAgentBytes));
  for (const char byte : agent.substr(0, kMaxUserAgentBytes)) {
    const bool printable = byte >= 0x20 && byte < 0x7F;
    client.user_agent.push_back(printable ? byte : '?');
  }
  client.address = request.remote_address;
  return client;
}

}  // namespace orderly::auth
