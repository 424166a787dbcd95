#include "auth/api/service_token_source.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/service_unavailable.hpp"

namespace orderly::auth {

boost::asio::awaitable<std::string> ServiceTokenSource::token(std::string audience) {
  {
    const std::lock_guard lock(mutex_);
    const auto cached = cache_.find(audience);
    if (cached != cache_.end() && clock_.monotonic() < cached->second.renew_at) co_return cached->second.token;
  }
  boost::json::object body{{"caller", caller_}, {"audience", audience}, {"secret", secret_}};
  core::CallContext call;
  const auto response = co_await auth_.call("service_token", "POST", "/internal/v1/service-tokens",
                                             boost::json::serialize(body), true, std::move(call));
  std::optional<Cached> issued;
  if (response.status == 200) {
    try {
      const auto parsed = boost::json::parse(response.body).as_object();
      const auto lifetime = std::chrono::seconds(parsed.at("expires_in").as_int64());
      // Renewed a minute early (or halfway, for short lifetimes), so a call never carries one about to expire.
      const auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(60), lifetime / 2);
      issued = Cached{std::string(parsed.at("token").as_string()), clock_.monotonic() + lifetime - margin};
    } catch (const std::exception&) {
      issued.reset();
    }
  }
  if (!issued) {
    throw core::ServiceUnavailable("auth", "auth refused a service credential for " + audience + " (" +
                                               std::to_string(response.status) + ")");
  }
  const std::lock_guard lock(mutex_);
  cache_[audience] = *issued;
  co_return issued->token;
}

}  // namespace orderly::auth
