#include "store/postgres/pg_server.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "store/errors.hpp"

namespace orderly::store::postgres {
namespace asio = boost::asio;

namespace {

// libpq's reason for refusing a URI, without the fragments it quotes
// ("invalid percent-encoded token: \"...\""): they may be a password.
std::string redacted(const char* reason) {
  std::string out;
  bool quoted = false;
  for (const char* c = reason; *c != '\0'; ++c) {
    if (*c == '"') {
      quoted = !quoted;
      if (quoted) out += "\"...\"";
    } else if (!quoted && *c != '\n') {
      out += *c;
    }
  }
  return out;
}

// A numeric address for `host`, IPv4 first: "localhost" often lists ::1
// first while servers listen on 127.0.0.1 only. Runs once, when the store is
// built, never on an event loop.
std::string resolve_once(const std::string& host, const std::string& port, std::string_view what) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (!ec) return ip.to_string();
  asio::io_context context;
  asio::ip::tcp::resolver resolver(context);
  const auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    throw StoreError(std::string(what) + ": host " + host + " does not resolve: " + ec.message());
  }
  for (const auto& result : results) {
    if (result.endpoint().address().is_v4()) return result.endpoint().address().to_string();
  }
  return results.begin()->endpoint().address().to_string();
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(',', start);
    items.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return items;
    start = end + 1;
  }
}

}  // namespace

std::size_t PgServer::host_count(std::string_view uri, std::string_view what) {
  const PgServer parsed(uri, Role::primary, PgConnectionSettings{}, what, std::nullopt);
  return parsed.host_count_;
}

PgServer::PgServer(std::string_view uri, Role role, PgConnectionSettings settings, std::string_view what,
                   std::optional<std::size_t> host_index)
    : role_(role), settings_(std::move(settings)) {
  if (!uri.starts_with("postgresql://") && !uri.starts_with("postgres://")) {
    throw StoreError(std::string(what) + ": expected a postgresql:// URI");
  }
  const std::string text(uri);
  char* error = nullptr;
  const std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> parsed(PQconninfoParse(text.c_str(), &error),
                                                                              PQconninfoFree);
  if (!parsed) {
    const std::string why = error != nullptr ? redacted(error) : "out of memory";
    PQfreemem(error);
    throw StoreError(std::string(what) + ": not a valid PostgreSQL URI: " + why);
  }
  for (const auto* option = parsed.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr && *option->val != '\0') set(option->keyword, option->val);
  }

  const auto value_of = [&](std::string_view keyword) -> std::string {
    const auto found = std::find(keywords_.begin(), keywords_.end(), keyword);
    return found == keywords_.end() ? std::string() : values_[static_cast<std::size_t>(found - keywords_.begin())];
  };
  const auto hosts = split_commas(value_of("host"));
  host_count_ = hosts.size();
  if (host_index) {
    if (*host_index >= hosts.size()) {
      throw StoreError(std::string(what) + ": lists " + std::to_string(hosts.size()) + " host(s), host " +
                       std::to_string(*host_index + 1) + " was asked for");
    }
    // libpq's rule: one port for every host, or one per host.
    const auto ports = split_commas(value_of("port"));
    if (ports.size() != 1 && ports.size() != hosts.size()) {
      throw StoreError(std::string(what) + ": lists " + std::to_string(hosts.size()) + " hosts and " +
                       std::to_string(ports.size()) + " ports");
    }
    set("host", hosts[*host_index]);
    set("port", ports.size() == 1 ? ports[0] : ports[*host_index]);
  }
  const auto host = value_of("host");
  const auto port = value_of("port").empty() ? std::string("5432") : value_of("port");
  const bool socket_path = !host.empty() && (host.front() == '/' || host.front() == '@');
  const bool several_hosts = host.find(',') != std::string::npos;
  if (!host.empty() && !socket_path && !several_hosts && value_of("hostaddr").empty()) {
    set("hostaddr", resolve_once(host, port, what));
  }
  address_ = (host.empty()                          ? std::string("local")
              : host.find(':') != std::string::npos ? "[" + host + "]"
                                                    : host) +
             ":" + port;

  // Session settings travel in the startup packet: no extra round trip per connection.
  auto options = value_of("options");
  options += (options.empty() ? "" : " ") + std::string("-c statement_timeout=") +
             std::to_string(settings_.statement_timeout.count());
  set("options", std::move(options));
  if (value_of("application_name").empty()) set("application_name", settings_.application_name);
  set("client_encoding", "UTF8");

  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    keyword_pointers_.push_back(keywords_[i].c_str());
    value_pointers_.push_back(values_[i].c_str());
  }
  keyword_pointers_.push_back(nullptr);
  value_pointers_.push_back(nullptr);
}

void PgServer::set(const std::string& keyword, std::string value) {
  const auto found = std::find(keywords_.begin(), keywords_.end(), keyword);
  if (found != keywords_.end()) {
    values_[static_cast<std::size_t>(found - keywords_.begin())] = std::move(value);
    return;
  }
  keywords_.push_back(keyword);
  values_.push_back(std::move(value));
}

}  // namespace orderly::store::postgres
