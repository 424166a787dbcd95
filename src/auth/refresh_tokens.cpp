#include "auth/refresh_tokens.hpp"

#include "auth/sodium_primitives.hpp"
#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr std::size_t kTokenBytes = 32;  // 256 bits
// A token longer than this is not ours; refused before hashing.
constexpr std::size_t kMaxTokenText = 128;

constexpr store::Statement kInsert{
    "auth.refresh.insert",
    "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at_ms, created_at)"
    " VALUES ($1, $2, $3, $4, $5)"};
constexpr store::Statement kFind{
    "auth.refresh.find",
    "SELECT family_id, user_id, expires_at_ms, spent_at_ms, revoked_at_ms FROM refresh_tokens WHERE token_hash = $1"};
// The guard on spent_at makes two concurrent uses of one token race for one row:
// the loser sees 0 rows and treats its attempt as reuse.
constexpr store::Statement kSpend{
    "auth.refresh.spend",
    "UPDATE refresh_tokens SET spent_at_ms = $2 WHERE token_hash = $1 AND spent_at_ms IS NULL AND revoked_at_ms IS NULL"};
constexpr store::Statement kRevokeUser{
    "auth.refresh.revoke_user",
    "UPDATE refresh_tokens SET revoked_at_ms = $2 WHERE user_id = $1 AND revoked_at_ms IS NULL"};
constexpr store::Statement kRevokeUserExcept{
    "auth.refresh.revoke_user_except",
    "UPDATE refresh_tokens SET revoked_at_ms = $2 WHERE user_id = $1 AND family_id <> $3 AND revoked_at_ms IS NULL"};
constexpr store::Statement kInsertFamily{
    "auth.refresh.insert_family",
    "INSERT INTO refresh_families (family_id, user_id, created_at_ms, last_used_at_ms, user_agent, address)"
    " VALUES ($1, $2, $3, $3, $4, $5)"};
constexpr store::Statement kTouchFamily{
    "auth.refresh.touch_family",
    "UPDATE refresh_families SET last_used_at_ms = $2, user_agent = $3, address = $4 WHERE family_id = $1"};
constexpr store::Statement kRevokeFamily{
    "auth.refresh.revoke_family",
    "UPDATE refresh_tokens SET revoked_at_ms = $2 WHERE family_id = $1 AND revoked_at_ms IS NULL"};

}  // namespace

boost::asio::awaitable<std::string> RefreshTokens::issue(store::Transaction& tx, const std::string& user_id,
                                                         const std::string& family_id) {
  auto token = base64url_encode(random_bytes(kTokenBytes));
  auto row = params(sha256_hex(token), family_id, user_id, core::epoch_ms(clock_.now() + lifetime_),
                    core::format_rfc3339(clock_.now()));
  co_await tx.execute(kInsert, std::move(row));
  co_return token;
}

boost::asio::awaitable<NewFamily> RefreshTokens::start_family(std::string user_id, SessionClient client) {
  NewFamily family{{}, base64url_encode(random_bytes(16))};
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    auto row = params(family.family_id, user_id, core::epoch_ms(clock_.now()), client.user_agent, client.address);
    co_await tx.execute(kInsertFamily, std::move(row));
    family.token = co_await issue(tx, user_id, family.family_id);
  };
  co_await store_.transaction(std::move(body));
  co_return family;
}

boost::asio::awaitable<void> RefreshTokens::rotate_in(store::Transaction& tx, const std::string& hash,
                                                      const SessionClient& client, RefreshResult& result) {
  result = RefreshResult{};
  auto found = co_await tx.execute(kFind, params(hash));
  if (found.empty()) co_return;
  const auto& row = found.first();
  const auto now = core::epoch_ms(clock_.now());
  result.user_id = row.text("user_id");
  result.family_id = row.text("family_id");
  if (!row.is_null("revoked_at_ms") || row.int64("expires_at_ms") <= now) co_return;  // invalid

  auto spend = params(hash, now);
  const auto spent = co_await tx.execute(kSpend, std::move(spend));
  if (spent.affected_rows == 0) {
    auto revoke = params(result.family_id, now);
    co_await tx.execute(kRevokeFamily, std::move(revoke));
    result.outcome = RefreshOutcome::reused;
    co_return;
  }
  result.token = co_await issue(tx, result.user_id, result.family_id);
  co_await tx.execute(kTouchFamily, params(result.family_id, now, client.user_agent, client.address));
  result.outcome = RefreshOutcome::rotated;
}

boost::asio::awaitable<RefreshResult> RefreshTokens::rotate(std::string token, SessionClient client) {
  RefreshResult result;
  if (token.empty() || token.size() > kMaxTokenText) co_return result;
  const auto hash = sha256_hex(token);
  store::Store::Body body = [&](store::Transaction& tx) { return rotate_in(tx, hash, client, result); };
  co_await store_.transaction(std::move(body));
  co_return result;
}

boost::asio::awaitable<void> RefreshTokens::revoke_all_of_user(std::string user_id) {
  auto revoke = params(user_id, core::epoch_ms(clock_.now()));
  co_await store_.execute(kRevokeUser, std::move(revoke));
}

boost::asio::awaitable<void> RefreshTokens::revoke_others_of_user(std::string user_id, std::string keep_family) {
  auto revoke = params(user_id, core::epoch_ms(clock_.now()), keep_family);
  co_await store_.execute(kRevokeUserExcept, std::move(revoke));
}

boost::asio::awaitable<void> RefreshTokens::revoke_family_of(std::string token) {
  if (token.empty() || token.size() > kMaxTokenText) co_return;
  const auto hash = sha256_hex(token);
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    auto found = co_await tx.execute(kFind, params(hash));
    if (found.empty()) co_return;
    auto revoke = params(found.first().text("family_id"), core::epoch_ms(clock_.now()));
    co_await tx.execute(kRevokeFamily, std::move(revoke));
  };
  co_await store_.transaction(std::move(body));
}

}  // namespace orderly::auth
