#include "auth/mfa_challenges.hpp"

#include "auth/sodium_primitives.hpp"
#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using store::params;

constexpr std::size_t kChallengeBytes = 32;
constexpr std::size_t kMaxChallengeText = 128;  // longer is not ours: refused before hashing

constexpr store::Statement kInsert{
    "auth.mfa_challenges.insert",
    "INSERT INTO mfa_challenges (challenge_hash, user_id, expires_at_ms, created_at) VALUES ($1, $2, $3, $4)"};
constexpr store::Statement kLive{
    "auth.mfa_challenges.live",
    "SELECT user_id FROM mfa_challenges WHERE challenge_hash = $1 AND used_at_ms IS NULL AND expires_at_ms > $2"};
constexpr store::Statement kSpend{
    "auth.mfa_challenges.spend",
    "UPDATE mfa_challenges SET used_at_ms = $2 WHERE challenge_hash = $1 AND used_at_ms IS NULL"
    " AND expires_at_ms > $2"};

}  // namespace

boost::asio::awaitable<std::string> MfaChallenges::start(std::string user_id) {
  auto challenge = base64url_encode(random_bytes(kChallengeBytes));
  const auto now = clock_.now();
  auto row = params(sha256_hex(challenge), std::move(user_id), core::epoch_ms(now + lifetime_),
                    core::format_rfc3339(now));
  co_await store_.execute(kInsert, std::move(row));
  co_return challenge;
}

boost::asio::awaitable<std::optional<std::string>> MfaChallenges::peek(std::string challenge) {
  if (challenge.empty() || challenge.size() > kMaxChallengeText) co_return std::nullopt;
  const auto found = co_await store_.query(kLive, params(sha256_hex(challenge), core::epoch_ms(clock_.now())),
                                           store::ReadOptions{.allow_replica = false});
  if (found.empty()) co_return std::nullopt;
  co_return found.first().text("user_id");
}

boost::asio::awaitable<bool> MfaChallenges::spend(std::string challenge) {
  if (challenge.empty() || challenge.size() > kMaxChallengeText) co_return false;
  const auto spent =
      co_await store_.execute(kSpend, params(sha256_hex(challenge), core::epoch_ms(clock_.now())));
  co_return spent.affected_rows == 1;
}

}  // namespace orderly::auth
