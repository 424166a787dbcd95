#include "auth/password_resets.hpp"

#include "auth/api/account_events.hpp"
#include "auth/sodium_primitives.hpp"
#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxTokenText = 128;  // longer is not ours: refused before hashing

constexpr store::Statement kInsert{
    "auth.password_resets.insert",
    "INSERT INTO password_resets (token_hash, user_id, expires_at_ms, created_at) VALUES ($1, $2, $3, $4)"};
constexpr store::Statement kLive{
    "auth.password_resets.live",
    "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2"};
// The guard on used_at makes two confirmations of one token race for one row.
constexpr store::Statement kSpend{
    "auth.password_resets.spend",
    "UPDATE password_resets SET used_at_ms = $2 WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2"};
constexpr store::Statement kSpendOthers{
    "auth.password_resets.spend_others",
    "UPDATE password_resets SET used_at_ms = $2 WHERE user_id = $1 AND used_at_ms IS NULL"};
constexpr store::Statement kReplaceHash{
    "auth.password_resets.replace_hash",
    "UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = $3 WHERE id = $1"};

}  // namespace

boost::asio::awaitable<void> PasswordResets::start(const User& user, std::string traceparent) {
  const auto token = base64url_encode(random_bytes(kTokenBytes));
  const auto now = clock_.now();
  AccountEvent event{user.id, user.email, user.name, public_url_ + "/reset-password?token=" + token};
  auto message = account_event_message(AccountEventType::password_reset, event, std::move(traceparent));
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    auto row = params(sha256_hex(token), user.id, core::epoch_ms(now + kResetTokenLifetime), core::format_rfc3339(now));
    co_await tx.execute(kInsert, std::move(row));
    co_await outbox_.write(tx, message);
  };
  co_await store_.transaction(std::move(body));
}

boost::asio::awaitable<std::optional<std::string>> PasswordResets::peek(std::string token) {
  if (token.empty() || token.size() > kMaxTokenText) co_return std::nullopt;
  const auto found = co_await store_.query(kLive, params(sha256_hex(token), core::epoch_ms(clock_.now())),
                                           store::ReadOptions{.allow_replica = false});
  if (found.empty()) co_return std::nullopt;
  co_return found.first().text("user_id");
}

boost::asio::awaitable<std::optional<std::string>> PasswordResets::complete(std::string token,
                                                                            std::string password_hash) {
  if (token.empty() || token.size() > kMaxTokenText) co_return std::nullopt;
  const auto hash = sha256_hex(token);
  std::optional<std::string> user_id;
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    const auto now = core::epoch_ms(clock_.now());
    auto found = co_await tx.execute(kLive, params(hash, now));
    if (found.empty()) co_return;
    auto owner = found.first().text("user_id");
    const auto spent = co_await tx.execute(kSpend, params(hash, now));
    if (spent.affected_rows == 0) co_return;
    co_await tx.execute(kSpendOthers, params(owner, now));
    co_await tx.execute(kReplaceHash, params(owner, password_hash, core::format_rfc3339(clock_.now())));
    user_id = std::move(owner);
  };
  co_await store_.transaction(std::move(body));
  co_return user_id;
}

}  // namespace orderly::auth
