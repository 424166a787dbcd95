#include "auth/jwks_follower.hpp"

#include "auth/jwks.hpp"
#include "core/logging.hpp"
#include "core/service_unavailable.hpp"

namespace orderly::auth {

std::optional<VerificationKey> JwksFollower::find(std::string_view kid) const {
  std::shared_ptr<const std::unordered_map<std::string, VerificationKey>> keys;
  {
    const std::lock_guard lock(mutex_);
    keys = keys_;
  }
  if (!keys) return std::nullopt;
  const auto found = keys->find(std::string(kid));
  if (found == keys->end()) return std::nullopt;
  return found->second;
}

std::size_t JwksFollower::key_count() const {
  const std::lock_guard lock(mutex_);
  return keys_ ? keys_->size() : 0;
}

boost::asio::awaitable<bool> JwksFollower::refresh() {
  std::optional<std::string> failure;
  std::vector<VerificationKey> fetched;
  try {
    core::CallContext call;
    const auto response = co_await auth_.call("jwks", "GET", "/internal/v1/jwks", std::string(), true,
                                               std::move(call));
    if (response.status != 200) throw std::invalid_argument("answered " + std::to_string(response.status));
    fetched = parse_jwks(response.body);
  } catch (const core::ServiceUnavailable& error) {
    failure = error.what();
  } catch (const std::invalid_argument& error) {
    failure = error.what();
  }
  if (failure || fetched.empty()) {
    core::log::warn("auth.jwks_refresh_failed", {{"error", failure.value_or("no keys")}, {"keys_kept", key_count()}});
    co_return false;
  }
  auto keys = std::make_shared<std::unordered_map<std::string, VerificationKey>>();
  for (auto& key : fetched) {
    auto kid = key.kid;
    keys->emplace(std::move(kid), std::move(key));
  }
  const std::lock_guard lock(mutex_);
  keys_ = std::move(keys);
  co_return true;
}

}  // namespace orderly::auth
