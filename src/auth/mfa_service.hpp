#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/key_ring.hpp"
#include "auth/mfa_challenges.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/totp_factors.hpp"
#include "auth/user.hpp"
#include "core/clock.hpp"

namespace orderly::auth {

// What an enrolment hands out once: both hold the secret, never log them.
struct TotpEnrolment {
  std::string secret;       // base32, for typing into an app
  std::string otpauth_uri;  // for a QR code
};

enum class MfaConfirmOutcome { enabled, wrong_code, nothing_pending };

struct MfaConfirmation {
  MfaConfirmOutcome outcome = MfaConfirmOutcome::wrong_code;
  std::vector<std::string> recovery_codes;  // enabled: the ten codes, shown once
};

// How a second factor was proved, or not.
enum class SecondFactor { totp, recovery_code, wrong, not_enabled };

// Multi-factor authentication with TOTP, without HTTP: enrolment and its
// confirmation, turning it off, and checking a code or a recovery code. The
// secret is sealed with the key ring (the user id as associated data, so a
// sealed secret cannot be moved to another account); recovery codes are
// stored as SHA-256 (80 random bits each). A TOTP code is accepted within
// one step either side and once: the store keeps the last used step.
// Thread-safe.
class MfaService {
 public:
  static constexpr std::size_t kRecoveryCodes = 10;

  MfaService(TotpFactors& factors, MfaChallenges& challenges, RefreshTokens& refresh_tokens, const KeyRing& keys,
             const core::Clock& clock, std::string issuer)
      : factors_(factors),
        challenges_(challenges),
        refresh_tokens_(refresh_tokens),
        keys_(keys),
        clock_(clock),
        issuer_(std::move(issuer)) {}

  // A new pending secret for `user`; nullopt when MFA is already on.
  boost::asio::awaitable<std::optional<TotpEnrolment>> enroll(const User& user);
  // A first code from the pending secret turns MFA on and ends every other
  // session of the user (`keep_session`: the caller's, may be empty), so a
  // session opened before with the password alone does not carry on as if
  // it had the second factor.
  boost::asio::awaitable<MfaConfirmation> confirm(std::string user_id, std::string code, std::string keep_session);
  // Checks and spends one of `code` (TOTP) or `recovery_code`, whichever is not empty.
  boost::asio::awaitable<SecondFactor> check(std::string user_id, std::string code, std::string recovery_code);
  // Turns MFA off after check() passed.
  boost::asio::awaitable<void> disable(std::string user_id);

  [[nodiscard]] MfaChallenges& challenges() { return challenges_; }

 private:
  [[nodiscard]] std::string unseal(const std::string& user_id, const SealedBox& secret) const;

  TotpFactors& factors_;
  MfaChallenges& challenges_;
  RefreshTokens& refresh_tokens_;
  const KeyRing& keys_;
  const core::Clock& clock_;
  std::string issuer_;
};

// "abcd-efgh-ijkl-mnop" → "abcdefghijklmnop": what a typed recovery code is
// compared as (case, dashes and spaces do not matter).
[[nodiscard]] std::string normalize_recovery_code(std::string_view typed);

}  // namespace orderly::auth
