#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// One live refresh family, as its user sees it.
struct SessionInfo {
  std::string id;  // the family id (the sid claim of its access tokens)
  std::int64_t created_at_ms = 0;
  std::int64_t last_used_at_ms = 0;  // the login, or the latest refresh
  std::string user_agent;            // of that last use
  std::string address;
};

// A user's sessions: the refresh families that can still be refreshed (a
// token neither spent, revoked nor expired), and the revocation of one. A
// revoked session stops refreshing at once; its access tokens live out their
// lifetime (auth.access_token_ttl), which nothing here shortens. Thread-safe.
class Sessions {
 public:
  static constexpr std::int64_t kListLimit = 100;  // the most recently used; older ones end with logout-all

  Sessions(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  // Most recently used first.
  boost::asio::awaitable<std::vector<SessionInfo>> list(std::string user_id);
  // Revokes the session when it is a live one of `user_id`; false for an
  // unknown id, another user's session, or one already ended (one answer
  // for all, so ids of other users cannot be told from made-up ones).
  boost::asio::awaitable<bool> revoke(std::string user_id, std::string session_id);

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

}  // namespace orderly::auth
