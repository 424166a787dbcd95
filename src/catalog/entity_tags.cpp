#include "catalog/entity_tags.hpp"

#include <charconv>

namespace orderly::catalog {
namespace {

struct Tag {
  bool weak = false;
  std::string_view opaque;  // between the quotes
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The entity tags of a comma-separated list; malformed members are skipped.
std::vector<Tag> parse_tags(std::string_view list) {
  std::vector<Tag> tags;
  while (!list.empty()) {  // each turn removes one member and its comma
    const auto comma = list.find(',');
    auto member = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    Tag tag;
    if (member.starts_with("W/")) {
      tag.weak = true;
      member.remove_prefix(2);
    }
    if (member.size() < 2 || member.front() != '"' || member.back() != '"') continue;
    tag.opaque = member.substr(1, member.size() - 2);
    tags.push_back(tag);
  }
  return tags;
}

std::optional<std::int64_t> version_of(std::string_view opaque) {
  if (!opaque.starts_with('v')) return std::nullopt;
  opaque.remove_prefix(1);
  std::int64_t version = 0;
  const auto [end, error] = std::from_chars(opaque.data(), opaque.data() + opaque.size(), version);
  if (opaque.empty() || error != std::errc() || end != opaque.data() + opaque.size()) return std::nullopt;
  return version;
}

}  // namespace

std::string entity_tag(std::int64_t version) {
  return "\"v" + std::to_string(version) + "\"";
}

bool none_match(std::string_view if_none_match, std::int64_t version) {
  if (trim(if_none_match) == "*") return true;
  for (const auto& tag : parse_tags(if_none_match)) {
    if (version_of(tag.opaque) == version) return true;
  }
  return false;
}

std::optional<std::vector<std::int64_t>> accepted_versions(std::string_view if_match) {
  if (trim(if_match) == "*") return std::nullopt;
  std::vector<std::int64_t> versions;
  for (const auto& tag : parse_tags(if_match)) {
    if (tag.weak) continue;
    if (const auto version = version_of(tag.opaque)) versions.push_back(*version);
  }
  return versions;
}

}  // namespace orderly::catalog
