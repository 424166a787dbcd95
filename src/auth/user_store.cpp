#include "auth/user_store.hpp"

#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr store::Statement kInsert{
    "auth.users.insert",
    "INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $6)"};
constexpr store::Statement kByEmail{
    "auth.users.by_email",
    "SELECT id, email, name, roles, token_version, email_verified_at_ms, mfa_enabled_at_ms, password_hash FROM users WHERE email = $1"};
constexpr store::Statement kById{
    "auth.users.by_id",
    "SELECT id, email, name, roles, token_version, email_verified_at_ms, mfa_enabled_at_ms, password_hash FROM users WHERE id = $1"};
// A role change ends the admin tokens issued before it (the version check).
constexpr store::Statement kSetRoles{
    "auth.users.set_roles",
    "UPDATE users SET roles = $2, token_version = token_version + 1, updated_at = $3 WHERE id = $1"};
constexpr store::Statement kSetHash{"auth.users.set_hash",
                                    "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1"};
// A new password (change or reset) also ends every access token's admin rights.
constexpr store::Statement kReplaceHash{
    "auth.users.replace_hash",
    "UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = $3 WHERE id = $1"};

User user_from(const store::Row& row) {
  return User{row.text("id"),
              row.text("email"),
              row.text("name"),
              split_roles(row.text("roles")),
              row.int64("token_version"),
              !row.is_null("email_verified_at_ms"),
              !row.is_null("mfa_enabled_at_ms")};
}

}  // namespace

boost::asio::awaitable<void> UserStore::create(User user, std::string password_hash) {
  auto row = params(user.id, user.email, user.name, password_hash, join_roles(user.roles),
                    core::format_rfc3339(clock_.now()));
  try {
    co_await store_.execute(kInsert, std::move(row));
  } catch (const store::ConstraintViolation& violation) {
    if (violation.kind() == store::ConstraintViolation::Kind::unique) throw EmailTaken();
    throw;
  }
}

boost::asio::awaitable<std::optional<UserWithHash>> UserStore::find_by_email(std::string email) {
  // The primary: a login right after signup must find the account.
  auto result = co_await store_.query(kByEmail, params(email), store::ReadOptions{.allow_replica = false});
  if (result.empty()) co_return std::nullopt;
  const auto& row = result.first();
  co_return UserWithHash{user_from(row), row.text("password_hash")};
}

boost::asio::awaitable<std::optional<User>> UserStore::find(std::string id) {
  auto found = co_await find_with_hash(std::move(id));
  if (!found) co_return std::nullopt;
  co_return std::move(found->user);
}

boost::asio::awaitable<std::optional<UserWithHash>> UserStore::find_with_hash(std::string id) {
  auto result = co_await store_.query(kById, params(id), store::ReadOptions{.allow_replica = false});
  if (result.empty()) co_return std::nullopt;
  const auto& row = result.first();
  co_return UserWithHash{user_from(row), row.text("password_hash")};
}

boost::asio::awaitable<std::optional<User>> UserStore::set_roles(std::string id, std::vector<std::string> roles) {
  auto change = params(id, join_roles(roles), core::format_rfc3339(clock_.now()));
  const auto result = co_await store_.execute(kSetRoles, std::move(change));
  if (result.affected_rows == 0) co_return std::nullopt;
  co_return co_await find(std::move(id));
}

boost::asio::awaitable<void> UserStore::set_password_hash(std::string id, std::string password_hash) {
  auto change = params(id, password_hash, core::format_rfc3339(clock_.now()));
  co_await store_.execute(kSetHash, std::move(change));
}

boost::asio::awaitable<void> UserStore::replace_password_hash(std::string id, std::string password_hash) {
  auto change = params(id, password_hash, core::format_rfc3339(clock_.now()));
  co_await store_.execute(kReplaceHash, std::move(change));
}

}  // namespace orderly::auth
