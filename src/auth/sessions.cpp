#include "auth/sessions.hpp"

#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr store::Statement kList{
    "auth.sessions.list",
    "SELECT f.family_id, f.created_at_ms, f.last_used_at_ms, f.user_agent, f.address FROM refresh_families f"
    " WHERE f.user_id = $1 AND EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.family_id"
    " AND t.spent_at_ms IS NULL AND t.revoked_at_ms IS NULL AND t.expires_at_ms > $2)"
    " ORDER BY f.last_used_at_ms DESC, f.family_id LIMIT $3"};
// The user id in the guard is what makes another user's session id a 404:
// no row of theirs can match.
constexpr store::Statement kRevoke{
    "auth.sessions.revoke",
    "UPDATE refresh_tokens SET revoked_at_ms = $3 WHERE family_id = $1 AND user_id = $2"
    " AND revoked_at_ms IS NULL AND spent_at_ms IS NULL AND expires_at_ms > $3"};
constexpr store::Statement kRevokeRest{
    "auth.sessions.revoke_rest",
    "UPDATE refresh_tokens SET revoked_at_ms = $3 WHERE family_id = $1 AND user_id = $2 AND revoked_at_ms IS NULL"};

}  // namespace

boost::asio::awaitable<std::vector<SessionInfo>> Sessions::list(std::string user_id) {
  // The primary: a session revoked a moment ago must not show up again.
  const auto found = co_await store_.query(kList, params(user_id, core::epoch_ms(clock_.now()), kListLimit),
                                           store::ReadOptions{.allow_replica = false});
  std::vector<SessionInfo> sessions;
  sessions.reserve(found.rows.size());
  for (const auto& row : found.rows) {
    sessions.push_back({row.text("family_id"), row.int64("created_at_ms"), row.int64("last_used_at_ms"),
                        row.text("user_agent"), row.text("address")});
  }
  co_return sessions;
}

boost::asio::awaitable<bool> Sessions::revoke(std::string user_id, std::string session_id) {
  bool revoked = false;
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    const auto now = core::epoch_ms(clock_.now());
    const auto live = co_await tx.execute(kRevoke, params(session_id, user_id, now));
    if (live.affected_rows == 0) co_return;
    co_await tx.execute(kRevokeRest, params(session_id, user_id, now));
    revoked = true;
  };
  co_await store_.transaction(std::move(body));
  co_return revoked;
}

}  // namespace orderly::auth
