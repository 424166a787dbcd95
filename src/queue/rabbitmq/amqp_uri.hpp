#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::queue::rabbitmq {

// Where and as whom a RabbitBroker connects, from an AMQP URI
// (amqp://user:password@host:port/vhost, vhost percent-encoded: %2f is "/").
struct AmqpUri {
  std::string host;
  std::uint16_t port = 5672;
  std::string user;
  std::string password;  // never logged: use redacted()
  std::string vhost;

  // The URI with the password replaced by "***", for logs and errors.
  [[nodiscard]] std::string redacted() const;
};

// Parses with rabbitmq-c's amqp_parse_url (which also decodes %XX escapes).
// Throws std::invalid_argument, without echoing the text (it may hold a
// password), for anything else, including amqps:// (TLS is not wired here).
[[nodiscard]] AmqpUri parse_amqp_uri(std::string_view text);

// The nodes of a RabbitMQ cluster: one URI or several separated by commas
// (a comma inside a password is written %2C). Throws std::invalid_argument
// like parse_amqp_uri, and for an empty list or an empty entry.
[[nodiscard]] std::vector<AmqpUri> parse_amqp_uris(std::string_view text);

}  // namespace orderly::queue::rabbitmq
