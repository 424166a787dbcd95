#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::store::postgres {

// How connections to every server of a store behave.
struct PgConnectionSettings {
  std::size_t pool_size = 4;  // per event loop, per server
  std::chrono::milliseconds connect_timeout{5'000};
  // Sent to the server (statement_timeout); the client waits this long plus
  // connect_timeout for an answer before it drops the connection.
  std::chrono::milliseconds statement_timeout{30'000};
  std::chrono::milliseconds acquire_timeout{5'000};  // for a free connection of a full pool
  std::chrono::milliseconds reconnect_backoff{100};
  std::chrono::milliseconds reconnect_backoff_max{2'000};
  std::string application_name = "orderly";
};

// One PostgreSQL server (the primary or a replica) as its connections reach
// it: libpq connection parameters derived once from a postgresql:// URI.
// Immutable, so the pools of every event loop share it without a lock.
class PgServer {
 public:
  enum class Role { primary, replica };

  // Parses `uri` and resolves its host name once, here, so that no
  // connection attempt blocks an event loop in getaddrinfo (a URI with several
  // hosts is passed on as written: list them as numeric addresses). Adds
  // statement_timeout to the session options. Throws StoreError naming `what`
  // (e.g. "store.postgres_primary") when the URI is not valid; the message
  // never repeats the URI, which may hold a password.
  //
  // `host`: of a URI that lists several hosts (postgresql://a:1,b:2/db), this
  // server is the one at that index only (the Patroni-routed store makes one
  // server per host); a URI that lists fewer is a StoreError.
  PgServer(std::string_view uri, Role role, PgConnectionSettings settings, std::string_view what,
           std::optional<std::size_t> host = std::nullopt);

  // How many hosts `uri` lists (1 for a URI with one host or none); throws StoreError as the constructor.
  [[nodiscard]] static std::size_t host_count(std::string_view uri, std::string_view what);

  // Null-terminated keyword and value arrays for PQconnectStartParams.
  [[nodiscard]] const char* const* keywords() const { return keyword_pointers_.data(); }
  [[nodiscard]] const char* const* values() const { return value_pointers_.data(); }

  // "host:port", for logs, errors and metric labels.
  [[nodiscard]] const std::string& address() const { return address_; }
  [[nodiscard]] Role role() const { return role_; }
  [[nodiscard]] const PgConnectionSettings& settings() const { return settings_; }

  // The time an answer to a statement may take before the connection counts as lost.
  [[nodiscard]] std::chrono::milliseconds answer_timeout() const {
    return settings_.statement_timeout + settings_.connect_timeout;
  }

 private:
  void set(const std::string& keyword, std::string value);

  Role role_;
  PgConnectionSettings settings_;
  std::string address_;
  std::size_t host_count_ = 1;
  std::vector<std::string> keywords_;
  std::vector<std::string> values_;
  std::vector<const char*> keyword_pointers_;
  std::vector<const char*> value_pointers_;
};

}  // namespace orderly::store::postgres
