#include "net/request_target.hpp"

#include <boost/url/parse.hpp>

namespace orderly::net {

bool split_target(Request& request) {
  if (const auto origin = boost::urls::parse_origin_form(request.target)) {
    request.path = std::string(origin->encoded_path());
    request.query = std::string(origin->encoded_query());
    return true;
  }
  const auto absolute = boost::urls::parse_absolute_uri(request.target);
  if (!absolute || (absolute->scheme() != "http" && absolute->scheme() != "https")) return false;
  // An http(s) URI without a host is invalid (RFC 9110 4.2.1), and its
  // rootless path ("http:orders") would otherwise reach the router as "/".
  if (!absolute->has_authority() || absolute->encoded_host().empty()) return false;
  // Boost.URL 1.81 reads "http://h:A" as host "h" and the rootless path "A".
  const auto path = absolute->encoded_path();
  if (!path.empty() && path.front() != '/') return false;
  request.path = path.empty() ? std::string("/") : std::string(path);
  request.query = std::string(absolute->encoded_query());
  return true;
}

}  // namespace orderly::net
