#include "auth/admin_user_routes.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>

#include "auth/access.hpp"
#include "auth/user.hpp"
#include "core/problem.hpp"

namespace orderly::auth {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;
using store::params;

constexpr std::int64_t kDefaultLimit = 20;
constexpr std::int64_t kMaxLimit = 100;
constexpr std::size_t kMaxEmailFilter = 254;

// Keyset pages by e-mail (unique): the cursor is the last address shown, in hex
// so it stays opaque and needs no escaping in a URL. '\' escapes LIKE's own
// wildcards in the filter, so "a_b" finds "a_b" only.
constexpr store::Statement kPage{
    "auth.users.admin_page",
    "SELECT id, email, name, roles, created_at FROM users"
    " WHERE email LIKE $1 ESCAPE '\\' AND email > $2 ORDER BY email LIMIT $3"};

struct UserQuery {
  std::string email;  // the filter, lower-cased; empty: everyone
  std::string after;  // decoded cursor
  std::int64_t limit = kDefaultLimit;
};

std::string hex_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() * 2);
  for (const unsigned char c : text) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0 || text.size() > 2 * kMaxEmailFilter) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = value(text[i]), low = value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

std::string like_pattern(std::string_view filter) {
  std::string out = "%";
  for (const char c : filter) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

UserQuery parse_query(std::string_view query) {
  UserQuery parsed;
  std::vector<core::Problem::FieldError> errors;
  try {
    for (const auto& param : boost::urls::params_view(query)) {
      if (param.key == "email") {
        std::string lowered = param.value;
        std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const bool printable = std::all_of(lowered.begin(), lowered.end(),
                                           [](unsigned char c) { return c > 0x20 && c != 0x7F; });
        if (lowered.size() > kMaxEmailFilter || !printable) {
          errors.push_back({"email", "must be at most 254 visible characters"});
        } else {
          parsed.email = std::move(lowered);
        }
      } else if (param.key == "limit") {
        const auto& text = param.value;
        const bool digits = !text.empty() && text.size() <= 3 &&
                            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        const auto limit = digits ? std::stoll(text) : 0;
        if (limit < 1 || limit > kMaxLimit) {
          errors.push_back({"limit", "must be an integer from 1 to 100"});
        } else {
          parsed.limit = limit;
        }
      } else if (param.key == "cursor") {
        auto after = hex_decode(param.value);
        if (!after || after->empty()) {
          errors.push_back({"cursor", "is not a cursor from a previous page"});
        } else {
          parsed.after = std::move(*after);
        }
      }
    }
  } catch (const std::exception&) {
    errors.push_back({"query", "is not a valid query string"});
  }
  if (!errors.empty()) {
    throw core::ProblemError({422, "/problems/validation", "Invalid query", "some parameters are invalid",
                              std::move(errors)});
  }
  return parsed;
}

}  // namespace

void add_admin_user_routes(net::Router& router, store::Store& store) {
  auto list = [&store](net::RequestContext&, net::Request& request) -> awaitable<net::Response> {
    const auto query = parse_query(request.query);
    const auto rows = co_await store.query(kPage, params(like_pattern(query.email), query.after, query.limit + 1));
    json::array items;
    std::string last;
    for (const auto& row : rows.rows) {
      if (static_cast<std::int64_t>(items.size()) == query.limit) break;
      json::array roles;
      for (const auto& role : split_roles(row.text("roles"))) roles.emplace_back(role);
      last = row.text("email");
      items.push_back(json::object{{"id", row.text("id")},
                                   {"email", last},
                                   {"name", row.text("name")},
                                   {"roles", std::move(roles)},
                                   {"created_at", row.text("created_at")}});
    }
    json::object body{{"items", std::move(items)}, {"next_cursor", nullptr}};
    if (static_cast<std::int64_t>(rows.rows.size()) > query.limit) body["next_cursor"] = hex_encode(last);
    co_return net::Response::json(200, json::serialize(body));
  };
  router.add("GET", "/api/v1/admin/users", require_role(std::string(kAdminRole), std::move(list)));
}

}  // namespace orderly::auth
