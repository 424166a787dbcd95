#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace orderly::auth {

struct User {
  std::string id;
  std::string email;  // lower-cased
  std::string name;
  std::vector<std::string> roles;
  std::int64_t token_version = 0;  // raised by a role or password change
  bool email_verified = false;     // the verification link mailed at signup was opened
  bool mfa_enabled = false;        // a TOTP enrolment was confirmed: logins need a second factor
};

// {id, email, name, roles, email_verified, mfa_enabled}: the body of signup, /me and the roles endpoint.
[[nodiscard]] boost::json::object to_json(const User& user);

// Roles as stored ("customer,admin") and back.
[[nodiscard]] std::string join_roles(const std::vector<std::string>& roles);
[[nodiscard]] std::vector<std::string> split_roles(std::string_view stored);

// Lower-cases and trims; nullopt when `email` is not a plausible address
// (one @, a dot in the domain, 3..254 characters, no spaces or control
// characters). Deliverability is not checked.
[[nodiscard]] std::optional<std::string> normalize_email(std::string_view email);

// Whether `name` may be shown in mails and pages as it is: no control
// characters (C0, DEL, C1), no line or paragraph separators, not blank. A CR
// or LF in a name would otherwise reach an e-mail header.
[[nodiscard]] bool is_displayable_name(std::string_view name);

}  // namespace orderly::auth
