#pragma once

// Test-only: where the real servers the tests talk to (Redis, PostgreSQL,
// RabbitMQ) listen. Header-only so that the unit tests (orderly_unit_tests,
// beside the code) and the end-to-end suites (through
// tests/support/test_servers.hpp) share one implementation. No production code
// includes it.

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/url/parse.hpp>

#include "core/config.hpp"

namespace orderly::testing {

namespace detail {

// The value part of an `export NAME=value` line as `printf %q` or a person
// writes it: 'single quoted', "double quoted", or bare with backslash escapes.
inline std::string unquote_shell_value(std::string_view text) {
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    return std::string(text.substr(1, text.size() - 2));
  }
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  std::string value;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    value += text[i];
  }
  return value;
}

// The last `export NAME=value` for `name` in the file, as a shell sourcing it would see.
inline std::optional<std::string> read_exported(const std::string& path, std::string_view name) {
  std::ifstream file(path);
  if (!file) {
    throw std::runtime_error("cannot read ORDERLY_TEST_SERVERS_ENV file " + path +
                             " (start the servers with: scripts/servers start DIR; its env file is DIR/env)");
  }
  std::optional<std::string> found;
  std::string line;
  while (std::getline(file, line)) {  // bounded by the file's length
    std::string_view rest(line);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    constexpr std::string_view kExport = "export ";
    if (!rest.starts_with(kExport)) continue;
    rest.remove_prefix(kExport.size());
    const auto equals = rest.find('=');
    if (equals == std::string_view::npos || rest.substr(0, equals) != name) continue;
    auto value = rest.substr(equals + 1);
    if (const auto end = value.find_last_not_of(" \t\r"); end != std::string_view::npos)
      value = value.substr(0, end + 1);
    found = unquote_shell_value(value);
  }
  return found;
}

}  // namespace detail

// The value of a test-server setting such as ORDERLY_TEST_REDIS
// ("redis://127.0.0.1:PORT"): the environment variable of that name when it
// is set and not empty, else its `export NAME=value` line in the file named by
// ORDERLY_TEST_SERVERS_ENV (what `scripts/servers start DIR` writes to
// DIR/env). Throws std::runtime_error naming the variable when neither has it:
// a test that needs a real server fails, it never skips.
inline std::string test_server_setting(const char* name) {
  if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  const char* env_file = std::getenv("ORDERLY_TEST_SERVERS_ENV");
  if (env_file != nullptr && *env_file != '\0') {
    if (auto value = detail::read_exported(env_file, name); value && !value->empty()) return *value;
    throw std::runtime_error(std::string(name) + " is not set and the ORDERLY_TEST_SERVERS_ENV file " + env_file +
                             " has no `export " + name + "=` line (was that server started?)");
  }
  throw std::runtime_error(std::string(name) +
                           " is not set: this test needs a real server. Start one with "
                           "`scripts/servers start DIR` and set ORDERLY_TEST_SERVERS_ENV=DIR/env, or set " +
                           name + " directly");
}

// "redis://host:port" (as in ORDERLY_TEST_REDIS); throws std::invalid_argument otherwise.
inline core::HostPort parse_redis_url(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "redis" || parsed->host().empty() || !parsed->has_port() ||
      parsed->port_number() == 0) {
    throw std::invalid_argument("not a redis://host:port address: " + std::string(url));
  }
  std::string host = parsed->host_address();  // an IPv6 literal without its brackets
  return {std::move(host), parsed->port_number()};
}

}  // namespace orderly::testing
