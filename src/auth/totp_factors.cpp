#include "auth/totp_factors.hpp"

#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

// The guard keeps a confirmed secret: enrolling again needs MFA off first.
constexpr store::Statement kStorePending{
    "auth.mfa_totp.store_pending",
    "INSERT INTO mfa_totp (user_id, sealed_secret, nonce, created_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, nonce = excluded.nonce,"
    " created_at = excluded.created_at, last_used_step = -1 WHERE mfa_totp.confirmed_at_ms IS NULL"};
constexpr store::Statement kFind{
    "auth.mfa_totp.find",
    "SELECT sealed_secret, nonce, confirmed_at_ms, last_used_step FROM mfa_totp WHERE user_id = $1"};
constexpr store::Statement kConfirm{
    "auth.mfa_totp.confirm",
    "UPDATE mfa_totp SET confirmed_at_ms = $2, last_used_step = $3 WHERE user_id = $1 AND confirmed_at_ms IS NULL"};
constexpr store::Statement kInsertRecoveryCode{
    "auth.mfa_recovery_codes.insert",
    "INSERT INTO mfa_recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)"};
constexpr store::Statement kEnableUser{"auth.users.mfa_enable",
                                       "UPDATE users SET mfa_enabled_at_ms = $2, updated_at = $3 WHERE id = $1"};
constexpr store::Statement kSpendStep{
    "auth.mfa_totp.spend_step",
    "UPDATE mfa_totp SET last_used_step = $2 WHERE user_id = $1 AND confirmed_at_ms IS NOT NULL"
    " AND last_used_step < $2"};
constexpr store::Statement kSpendRecoveryCode{
    "auth.mfa_recovery_codes.spend",
    "UPDATE mfa_recovery_codes SET used_at_ms = $3 WHERE code_hash = $1 AND user_id = $2 AND used_at_ms IS NULL"};
constexpr store::Statement kDeleteFactor{"auth.mfa_totp.delete", "DELETE FROM mfa_totp WHERE user_id = $1"};
constexpr store::Statement kDeleteRecoveryCodes{"auth.mfa_recovery_codes.delete_user",
                                                "DELETE FROM mfa_recovery_codes WHERE user_id = $1"};
constexpr store::Statement kDisableUser{
    "auth.users.mfa_disable",
    "UPDATE users SET mfa_enabled_at_ms = NULL, token_version = token_version + 1, updated_at = $2 WHERE id = $1"};

}  // namespace

boost::asio::awaitable<bool> TotpFactors::store_pending(std::string user_id, SealedBox secret) {
  auto row = params(user_id, store::Blob{std::move(secret.ciphertext)}, store::Blob{std::move(secret.nonce)},
                    core::format_rfc3339(clock_.now()));
  const auto result = co_await store_.execute(kStorePending, std::move(row));
  co_return result.affected_rows == 1;
}

boost::asio::awaitable<std::optional<TotpFactor>> TotpFactors::find(std::string user_id) {
  // The primary: a confirmation right after enrolment must see its secret.
  const auto result = co_await store_.query(kFind, params(user_id), store::ReadOptions{.allow_replica = false});
  if (result.empty()) co_return std::nullopt;
  const auto& row = result.first();
  TotpFactor factor;
  factor.secret.ciphertext = row.blob("sealed_secret").bytes;
  factor.secret.nonce = row.blob("nonce").bytes;
  factor.confirmed = !row.is_null("confirmed_at_ms");
  factor.last_used_step = row.int64("last_used_step");
  co_return factor;
}

boost::asio::awaitable<bool> TotpFactors::confirm(std::string user_id, std::int64_t step,
                                                  std::vector<std::string> recovery_code_hashes) {
  bool confirmed = false;
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    const auto now = clock_.now();
    const auto updated = co_await tx.execute(kConfirm, params(user_id, core::epoch_ms(now), step));
    if (updated.affected_rows == 0) co_return;
    for (const auto& hash : recovery_code_hashes) {
      co_await tx.execute(kInsertRecoveryCode, params(hash, user_id, core::format_rfc3339(now)));
    }
    co_await tx.execute(kEnableUser, params(user_id, core::epoch_ms(now), core::format_rfc3339(now)));
    confirmed = true;
  };
  co_await store_.transaction(std::move(body));
  co_return confirmed;
}

boost::asio::awaitable<bool> TotpFactors::spend_step(std::string user_id, std::int64_t step) {
  const auto result = co_await store_.execute(kSpendStep, params(user_id, step));
  co_return result.affected_rows == 1;
}

boost::asio::awaitable<bool> TotpFactors::spend_recovery_code(std::string user_id, std::string code_hash) {
  const auto result =
      co_await store_.execute(kSpendRecoveryCode, params(code_hash, user_id, core::epoch_ms(clock_.now())));
  co_return result.affected_rows == 1;
}

boost::asio::awaitable<void> TotpFactors::remove(std::string user_id) {
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(kDeleteFactor, params(user_id));
    co_await tx.execute(kDeleteRecoveryCodes, params(user_id));
    co_await tx.execute(kDisableUser, params(user_id, core::format_rfc3339(clock_.now())));
  };
  co_await store_.transaction(std::move(body));
}

}  // namespace orderly::auth
