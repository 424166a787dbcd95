#include "registry/instance.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace orderly::registry {
namespace json = boost::json;

std::string services_prefix(std::string_view prefix) {
  return std::string(prefix) + "services/";
}

std::string instance_key(std::string_view prefix, const Instance& instance) {
  return services_prefix(prefix) + instance.service + "/" + instance.id;
}

std::string to_json(const Instance& instance) {
  return json::serialize(json::object{{"service", instance.service},
                                      {"id", instance.id},
                                      {"public", instance.public_address},
                                      {"internal", instance.internal_address},
                                      {"version", instance.version}});
}

std::optional<Instance> parse_instance(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& object = value.as_object();
  const auto field = [&](std::string_view name) -> std::optional<std::string> {
    const auto* found = object.if_contains(name);
    if (found == nullptr || !found->is_string()) return std::nullopt;
    return std::string(found->as_string());
  };
  auto service = field("service");
  auto id = field("id");
  auto public_address = field("public");
  if (!service || !id || !public_address || service->empty() || id->empty()) return std::nullopt;
  return Instance{std::move(*service), std::move(*id), std::move(*public_address), field("internal").value_or(""),
                  field("version").value_or("")};
}

}  // namespace orderly::registry
