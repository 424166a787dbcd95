#include "auth/email_verifications.hpp"

#include "auth/api/account_events.hpp"
#include "auth/sodium_primitives.hpp"
#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr std::size_t kTokenBytes = 32;     // 256 bits
constexpr std::size_t kMaxTokenText = 128;  // longer is not ours: refused before hashing

constexpr store::Statement kInsert{
    "auth.email_verifications.insert",
    "INSERT INTO email_verifications (token_hash, user_id, expires_at_ms, created_at) VALUES ($1, $2, $3, $4)"};
// The guard on used_at makes two confirmations of one token race for one row.
constexpr store::Statement kSpend{
    "auth.email_verifications.spend",
    "UPDATE email_verifications SET used_at_ms = $2"
    " WHERE token_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2"};
constexpr store::Statement kOwner{"auth.email_verifications.owner",
                                  "SELECT user_id FROM email_verifications WHERE token_hash = $1"};
constexpr store::Statement kSpendOthers{
    "auth.email_verifications.spend_others",
    "UPDATE email_verifications SET used_at_ms = $2 WHERE user_id = $1 AND used_at_ms IS NULL"};
constexpr store::Statement kMarkVerified{
    "auth.email_verifications.mark_verified",
    "UPDATE users SET email_verified_at_ms = $2, updated_at = $3 WHERE id = $1 AND email_verified_at_ms IS NULL"};

}  // namespace

boost::asio::awaitable<void> EmailVerifications::start(const User& user, std::string traceparent) {
  const auto token = base64url_encode(random_bytes(kTokenBytes));
  const auto now = clock_.now();
  AccountEvent event{user.id, user.email, user.name, public_url_ + "/verify-email?token=" + token};
  auto message = account_event_message(AccountEventType::email_verification, event, std::move(traceparent));
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    auto row = params(sha256_hex(token), user.id, core::epoch_ms(now + lifetime_), core::format_rfc3339(now));
    co_await tx.execute(kInsert, std::move(row));
    co_await outbox_.write(tx, message);
  };
  co_await store_.transaction(std::move(body));
}

boost::asio::awaitable<std::optional<std::string>> EmailVerifications::confirm(std::string token) {
  if (token.empty() || token.size() > kMaxTokenText) co_return std::nullopt;
  const auto hash = sha256_hex(token);
  std::optional<std::string> user_id;
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    const auto now = clock_.now();
    const auto now_ms = core::epoch_ms(now);
    const auto spent = co_await tx.execute(kSpend, params(hash, now_ms));
    if (spent.affected_rows == 0) co_return;
    auto owner = co_await tx.execute(kOwner, params(hash));
    auto id = owner.first().text("user_id");
    co_await tx.execute(kSpendOthers, params(id, now_ms));
    co_await tx.execute(kMarkVerified, params(id, now_ms, core::format_rfc3339(now)));
    user_id = std::move(id);
  };
  co_await store_.transaction(std::move(body));
  co_return user_id;
}

}  // namespace orderly::auth
