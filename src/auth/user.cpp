#include "auth/user.hpp"

#include <algorithm>
#include <cctype>

namespace orderly::auth {

boost::json::object to_json(const User& user) {
  boost::json::array roles;
  for (const auto& role : user.roles) roles.emplace_back(role);
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"roles", std::move(roles)},
          {"email_verified", user.email_verified},
          {"mfa_enabled", user.mfa_enabled}};
}

std::string join_roles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& role : roles) {
    if (!out.empty()) out += ',';
    out += role;
  }
  return out;
}

std::vector<std::string> split_roles(std::string_view stored) {
  std::vector<std::string> roles;
  while (!stored.empty()) {
    const auto comma = stored.find(',');
    const auto role = stored.substr(0, comma);
    if (!role.empty()) roles.emplace_back(role);
    if (comma == std::string_view::npos) break;
    stored.remove_prefix(comma + 1);
  }
  return roles;
}

bool is_displayable_name(std::string_view name) {
  bool blank = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    const auto next = i + 1 < name.size() ? static_cast<unsigned char>(name[i + 1]) : 0;
    if (byte == 0xC2 && next >= 0x80 && next <= 0x9F) return false;  // U+0080..U+009F
    if (byte == 0xE2 && next == 0x80 && i + 2 < name.size()) {
      const auto third = static_cast<unsigned char>(name[i + 2]);
      if (third == 0xA8 || third == 0xA9) return false;  // U+2028, U+2029
    }
    if (byte != ' ') blank = false;
  }
  return !blank;
}

std::optional<std::string> normalize_email(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
  if (email.size() < 3 || email.size() > 254) return std::nullopt;
  const auto at = email.find('@');
  if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (domain.empty() || dot == 0 || dot == std::string_view::npos || domain.back() == '.') return std::nullopt;
  if (std::any_of(email.begin(), email.end(), [](unsigned char c) { return c <= ' ' || c == 0x7F; })) {
    return std::nullopt;
  }
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace orderly::auth
