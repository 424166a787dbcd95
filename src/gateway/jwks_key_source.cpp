#include "gateway/jwks_key_source.hpp"

#include <vector>

#include "auth/jwks.hpp"
#include "core/logging.hpp"
#include "gateway/gateway.hpp"

namespace orderly::gateway {

namespace {

std::int64_t to_ns(std::chrono::steady_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

}  // namespace

JwksKeySource::JwksKeySource(Gateway& gateway, const core::Clock& clock)
    : gateway_(gateway),
      clock_(clock),
      keys_(std::make_shared<const std::unordered_map<std::string, auth::VerificationKey>>()) {}

std::optional<auth::VerificationKey> JwksKeySource::find(std::string_view kid) const {
  std::shared_ptr<const std::unordered_map<std::string, auth::VerificationKey>> keys;
  {
    const std::lock_guard lock(mutex_);
    keys = keys_;
  }
  const auto found = keys->find(std::string(kid));
  if (found == keys->end()) return std::nullopt;
  return found->second;
}

std::size_t JwksKeySource::key_count() const {
  const std::lock_guard lock(mutex_);
  return keys_->size();
}

boost::asio::awaitable<bool> JwksKeySource::refetch_for_unknown_kid() {
  const auto state = gateway_.snapshot();
  const auto now = to_ns(clock_.monotonic());
  const auto min_gap = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           state->config.auth.min_refetch_interval)
                           .count();
  auto last = last_fetch_ns_.load();
  if (last != 0 && now - last < min_gap) co_return false;
  if (!last_fetch_ns_.compare_exchange_strong(last, now)) co_return false;  // another request fetches
  co_return co_await fetch();
}

boost::asio::awaitable<bool> JwksKeySource::fetch() {
  const auto state = gateway_.snapshot();
  last_fetch_ns_.store(to_ns(clock_.monotonic()));
  const auto& auth = state->config.auth;
  UpstreamPool* pool = nullptr;
  for (const auto& candidate : state->pools) {
    if (candidate->config().name == auth.jwks_upstream) pool = candidate.get();
  }
  if (pool == nullptr) co_return false;
  auto* instance = pool->choose("", {});
  if (instance == nullptr) {
    core::log::warn("gateway.jwks_fetch_failed", {{"upstream", auth.jwks_upstream}, {"error", "no instance"}});
    co_return false;
  }
  net::Request request;
  request.method = "GET";
  request.target = auth.jwks_path;
  request.headers.add("Accept", "application/json");
  std::string error;
  std::vector<auth::VerificationKey> parsed;
  try {
    const auto response = co_await pool->client().send(instance->address, std::move(request), pool->config().try_timeout);
    pool->record(*instance, response.status >= 500 ? Outcome::server_error : Outcome::success);
    if (response.status != 200) {
      error = "status " + std::to_string(response.status);
    } else {
      parsed = auth::parse_jwks(response.body);
    }
  } catch (const net::HttpClientError& failed) {
    pool->record(*instance, Outcome::connect_failure);
    error = failed.what();
  } catch (const std::invalid_argument& failed) {
    error = std::string("not a JWK set: ") + failed.what();
  }
  if (!error.empty()) {
    core::log::warn("gateway.jwks_fetch_failed", {{"upstream", auth.jwks_upstream}, {"error", error}});
    co_return false;
  }
  auto keys = std::make_shared<std::unordered_map<std::string, auth::VerificationKey>>();
  for (auto& key : parsed) keys->emplace(key.kid, std::move(key));
  const auto count = keys->size();
  {
    const std::lock_guard lock(mutex_);
    keys_ = std::move(keys);
  }
  core::log::info("gateway.jwks_fetched", {{"upstream", auth.jwks_upstream}, {"keys", count}});
  co_return true;
}

}  // namespace orderly::gateway
