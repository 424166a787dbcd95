#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::registry {

// One running instance as it registers itself: under
// <prefix>services/<service>/<id>, a JSON value with its addresses.
struct Instance {
  std::string service;           // "catalog"
  std::string id;                // unique per process: "catalog-3f9a…"
  std::string public_address;    // HOST:PORT of its public listener (what the gateway proxies to)
  std::string internal_address;  // HOST:PORT of its /internal/v1 listener; empty if it has none
  std::string version;

  friend bool operator==(const Instance&, const Instance&) = default;
};

// Every instance the registry shows, by service, each list in id order.
using Directory = std::map<std::string, std::vector<Instance>>;

[[nodiscard]] std::string instance_key(std::string_view prefix, const Instance& instance);
[[nodiscard]] std::string services_prefix(std::string_view prefix);
[[nodiscard]] std::string to_json(const Instance& instance);
// nullopt for a value that is not an instance (written by someone else, or
// by a newer version with another shape): the follower skips it.
[[nodiscard]] std::optional<Instance> parse_instance(std::string_view json);

}  // namespace orderly::registry
