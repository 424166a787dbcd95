#include "net/http_message.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

namespace orderly::net {

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (boost::beast::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void Headers::set(std::string_view name, std::string value) {
  erase(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::erase(std::string_view name) {
  std::erase_if(fields_, [&](const auto& field) { return boost::beast::iequals(field.first, name); });
}

Response Response::json(int status, std::string body) {
  return text(status, std::move(body), "application/json");
}

namespace {
// Room for the headers most responses carry (type, request id, trace) in one allocation.
constexpr std::size_t kTypicalResponseHeaders = 4;
}  // namespace

Response Response::text(int status, std::string body, std::string content_type) {
  Response response;
  response.headers.reserve(kTypicalResponseHeaders);
  response.status = status;
  response.headers.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

Response Response::empty(int status) {
  Response response;
  response.headers.reserve(kTypicalResponseHeaders);
  response.status = status;
  return response;
}

Response Response::problem(const core::Problem& problem) {
  auto response = text(problem.status, problem.to_json(), "application/problem+json");
  // RFC 6750: every 401 names the scheme the client should use.
  if (problem.status == 401) response.headers.set("WWW-Authenticate", "Bearer");
  return response;
}

Response Response::problem(int status, std::string type, std::string title, std::string detail) {
  return problem(core::Problem{status, std::move(type), std::move(title), std::move(detail), {}});
}

}  // namespace orderly::net
