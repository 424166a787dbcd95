#include "auth/audit_routes.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/params_view.hpp>

#include "auth/access.hpp"
#include "net/json_body.hpp"

namespace orderly::auth {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;

constexpr std::size_t kMaxFilterBytes = 128;
constexpr std::int64_t kMaxLimit = 100;

std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "YYYY-MM-DDTHH:MM:SS[.fff]Z" → the stored form (always with milliseconds),
// so the text comparison in SQL is a time comparison.
std::optional<std::string> normalized_time(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  const auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  int millis = 0;
  if (text.size() != 20) {
    if (text.size() != 24 || text[19] != '.') return std::nullopt;
    const auto fraction = digits(text, 20, 3);
    if (!fraction) return std::nullopt;
    millis = *fraction;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                         std::chrono::day(*day)};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  // Written out from the fields, not through system_clock (whose nanoseconds
  // end in 2262): any four-digit year is a valid bound.
  char text_out[96];
  std::snprintf(text_out, sizeof text_out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", *year, *month, *day, *hour, *minute,
                *second, millis);
  return std::string(text_out);
}

std::optional<std::int64_t> positive_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

AuditQuery audit_query(const std::string& query) {
  const json::object none;
  net::FieldReader fields(none);
  AuditQuery wanted;
  if (!boost::urls::parse_query(query)) {
    fields.add_error("query", "is not a valid query string");
    fields.throw_if_invalid();
  }
  for (const auto& param : boost::urls::params_view(query)) {
    const std::string_view value = param.value;
    if (value.size() > kMaxFilterBytes) {
      fields.add_error(param.key, "is too long");
    } else if (param.key == "actor") {
      wanted.actor = value;
    } else if (param.key == "action") {
      wanted.action = value;
    } else if (param.key == "since" || param.key == "until") {
      auto time = normalized_time(value);
      if (!time) {
        fields.add_error(param.key, "must be an RFC 3339 UTC time, YYYY-MM-DDTHH:MM:SS[.fff]Z");
      } else {
        (param.key == "since" ? wanted.since : wanted.until) = std::move(*time);
      }
    } else if (param.key == "limit") {
      const auto limit = positive_integer(value);
      if (!limit || *limit > kMaxLimit) {
        fields.add_error("limit", "must be an integer from 1 to 100");
      } else {
        wanted.limit = *limit;
      }
    } else if (param.key == "cursor") {
      const auto cursor = positive_integer(value);
      if (!cursor) {
        fields.add_error("cursor", "is not a cursor this API returned");
      } else {
        wanted.before_seq = *cursor;
      }
    }
  }
  fields.throw_if_invalid();
  return wanted;
}

}  // namespace

void add_audit_routes(net::Router& router, AuditLog& audit) {
  auto list = [&audit](net::RequestContext&, net::Request& request) -> awaitable<net::Response> {
    auto page = co_await audit.page(audit_query(request.query));
    json::array items;
    for (const auto& row : page.rows) {
      items.push_back(json::object{{"id", row.id},
                                   {"seq", row.seq},
                                   {"at", row.at},
                                   {"actor", row.actor},
                                   {"action", row.action},
                                   {"subject", row.subject},
                                   {"address", row.address},
                                   {"request_id", row.request_id},
                                   {"hash", row.hash}});
    }
    json::object body{{"items", std::move(items)},
                      {"next_cursor", page.next_seq ? json::value(std::to_string(*page.next_seq)) : json::value()}};
    auto response = net::Response::json(200, json::serialize(body));
    response.headers.set("Cache-Control", "no-store");
    co_return response;
  };
  router.add("GET", "/api/v1/admin/audit", require_role(std::string(kAdminRole), std::move(list)));
}

}  // namespace orderly::auth
