#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/problem.hpp"

// The request and response types handlers see. Plain structs without Beast,
// so domain modules compile without Beast headers; the session converts at
// the socket boundary.
namespace orderly::net {

class BodyStream;  // net/body_stream.hpp

// Header fields in arrival order; names compare case-insensitively.
class Headers {
 public:
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  // Replaces every field called `name` with one field.
  void set(std::string_view name, std::string value);
  void add(std::string name, std::string value);
  void erase(std::string_view name);
  void reserve(std::size_t count) { fields_.reserve(count); }

  [[nodiscard]] auto begin() const { return fields_.begin(); }
  [[nodiscard]] auto end() const { return fields_.end(); }
  [[nodiscard]] std::size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method;  // "GET", as sent
  std::string target;  // origin-form, "/api/v1/orders/7?x=1"
  std::string path;    // percent-encoded path, "/api/v1/orders/7"
  std::string query;   // raw query, "x=1"
  Headers headers;
  std::string body;
  std::string remote_address;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  bool close = false;  // ask the session to close the connection after this response
  // Set: the body is produced while it is sent (Server-Sent Events) and
  // `body` is ignored; the session writes it chunked and then closes.
  std::shared_ptr<BodyStream> stream;

  [[nodiscard]] static Response json(int status, std::string body);
  [[nodiscard]] static Response text(int status, std::string body,
                                     std::string content_type = "text/plain; charset=utf-8");
  [[nodiscard]] static Response empty(int status);
  [[nodiscard]] static Response problem(const core::Problem& problem);
  // A problem with an empty detail; `type` is a slug such as "/problems/not-found".
  [[nodiscard]] static Response problem(int status, std::string type, std::string title, std::string detail = {});
};

}  // namespace orderly::net
