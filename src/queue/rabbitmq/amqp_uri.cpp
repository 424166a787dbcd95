#include "queue/rabbitmq/amqp_uri.hpp"

#include <amqp.h>

#include <stdexcept>
#include <vector>

namespace orderly::queue::rabbitmq {

namespace {

std::string percent_encode_vhost(const std::string& vhost) {
  std::string encoded;
  for (const char c : vhost) {
    if (c == '/' || c == '%' || c == '@' || c == ':' || c == '?' || c == '#') {
      constexpr char kHex[] = "0123456789ABCDEF";
      const auto byte = static_cast<unsigned char>(c);
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0x0F];
    } else {
      encoded += c;
    }
  }
  return encoded;
}

}  // namespace

std::string AmqpUri::redacted() const {
  return "amqp://" + user + ":***@" + host + ":" + std::to_string(port) + "/" + percent_encode_vhost(vhost);
}

AmqpUri parse_amqp_uri(std::string_view text) {
  if (!text.starts_with("amqp://")) {
    throw std::invalid_argument("the RabbitMQ URI must start with amqp:// (amqps is not supported)");
  }
  // amqp_parse_url cuts the buffer it is given into the parts it returns.
  std::vector<char> buffer(text.begin(), text.end());
  buffer.push_back('\0');
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK || info.host == nullptr || *info.host == '\0' ||
      info.port <= 0 || info.port > 65535) {
    throw std::invalid_argument("the RabbitMQ URI is not amqp://user:password@host:port/vhost");
  }
  AmqpUri uri;
  uri.host = info.host;
  uri.port = static_cast<std::uint16_t>(info.port);
  uri.user = info.user != nullptr ? info.user : "";
  uri.password = info.password != nullptr ? info.password : "";
  uri.vhost = info.vhost != nullptr ? info.vhost : "/";
  return uri;
}

std::vector<AmqpUri> parse_amqp_uris(std::string_view text) {
  std::vector<AmqpUri> uris;
  for (;;) {
    const auto comma = text.find(',');
    const auto entry = text.substr(0, comma);
    if (entry.empty()) throw std::invalid_argument("the RabbitMQ URI list has an empty entry");
    uris.push_back(parse_amqp_uri(entry));
    if (comma == std::string_view::npos) return uris;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace orderly::queue::rabbitmq
