#pragma once

#include <cstddef>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "gateway/gateway.hpp"
#include "net/http_message.hpp"
#include "net/request_context.hpp"

namespace orderly::gateway {

// Answers a request that matched route `index` of `state`: static files, or
// proxying to the route's upstream pool:
//   - the pool's max_inflight full: 503 at once (with Retry-After);
//   - an instance chosen by the balancer among the healthy, not ejected ones
//     whose breaker lets the call through; none: 503;
//   - each attempt bounded by try_timeout and all of them by request_timeout;
//   - another attempt, on another instance, after full-jitter back-off, when
//     the retry budget allows and either the request never reached the
//     upstream (connect failure) or it is safe to repeat (is_retry_safe) and
//     the answer was 502/503/504, a timeout or a dropped connection;
//   - every outcome reported to the pool (breaker, outlier ejection);
//   - failures as problems: 503 unavailable, 504 timeout, 502 anything else.
// `context` and `request` must outlive the call (the caller awaits it at once).
boost::asio::awaitable<net::Response> serve_route(Gateway& gateway, std::shared_ptr<const GatewaySnapshot> state,
                                                  std::size_t index, net::RequestContext& context,
                                                  net::Request& request, bool https);

}  // namespace orderly::gateway
