#include "auth/mfa_service.hpp"

#include <cctype>
#include <stdexcept>

#include <sodium.h>

#include "auth/sodium_primitives.hpp"
#include "auth/totp.hpp"

namespace orderly::auth {
namespace {

constexpr std::size_t kRecoveryCodeBytes = 10;  // 80 bits: 16 base32 characters

std::string associated_data(const std::string& user_id) { return "mfa_totp:" + user_id; }

std::string recovery_code_hash(const std::string& user_id, const std::string& normalized) {
  return sha256_hex("mfa_recovery:" + user_id + ":" + normalized);
}

// Four groups of four, lower case: easy to read out and type.
std::string new_recovery_code() {
  std::string plain = base32_encode(random_bytes(kRecoveryCodeBytes));
  std::string out;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(plain[i]))));
  }
  sodium_memzero(plain.data(), plain.size());
  return out;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

std::string normalize_recovery_code(std::string_view typed) {
  std::string out;
  for (const char c : typed) {
    if (c == '-' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string MfaService::unseal(const std::string& user_id, const SealedBox& secret) const {
  auto key = keys_.unseal(secret, associated_data(user_id));
  if (!key) throw std::runtime_error("the TOTP secret of a user cannot be unsealed: is auth.key_file the right one?");
  return std::move(*key);
}

boost::asio::awaitable<std::optional<TotpEnrolment>> MfaService::enroll(const User& user) {
  auto key = random_bytes(kTotpSecretBytes);
  auto sealed = keys_.seal(key, associated_data(user.id));
  TotpEnrolment enrolment;
  enrolment.secret = base32_encode(key);
  sodium_memzero(key.data(), key.size());
  if (!co_await factors_.store_pending(user.id, std::move(sealed))) co_return std::nullopt;
  enrolment.otpauth_uri = otpauth_uri(issuer_, user.email, enrolment.secret);
  co_return enrolment;
}

boost::asio::awaitable<MfaConfirmation> MfaService::confirm(std::string user_id, std::string code,
                                                            std::string keep_session) {
  MfaConfirmation answer;
  const auto factor = co_await factors_.find(user_id);
  if (!factor || factor->confirmed) {
    answer.outcome = MfaConfirmOutcome::nothing_pending;
    co_return answer;
  }
  auto key = unseal(user_id, factor->secret);
  const auto step = match_totp(key, code, unix_seconds(clock_.now()), factor->last_used_step);
  sodium_memzero(key.data(), key.size());
  if (!step) co_return answer;

  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < kRecoveryCodes; ++i) {
    answer.recovery_codes.push_back(new_recovery_code());
    hashes.push_back(recovery_code_hash(user_id, normalize_recovery_code(answer.recovery_codes.back())));
  }
  if (!co_await factors_.confirm(user_id, *step, std::move(hashes))) {
    answer.recovery_codes.clear();
    answer.outcome = MfaConfirmOutcome::nothing_pending;  // a concurrent confirmation won
    co_return answer;
  }
  co_await refresh_tokens_.revoke_others_of_user(user_id, std::move(keep_session));
  answer.outcome = MfaConfirmOutcome::enabled;
  co_return answer;
}

boost::asio::awaitable<SecondFactor> MfaService::check(std::string user_id, std::string code,
                                                       std::string recovery_code) {
  const auto factor = co_await factors_.find(user_id);
  if (!factor || !factor->confirmed) co_return SecondFactor::not_enabled;
  if (!recovery_code.empty()) {
    const auto hash = recovery_code_hash(user_id, normalize_recovery_code(recovery_code));
    co_return co_await factors_.spend_recovery_code(user_id, hash) ? SecondFactor::recovery_code
                                                                   : SecondFactor::wrong;
  }
  auto key = unseal(user_id, factor->secret);
  const auto step = match_totp(key, code, unix_seconds(clock_.now()), factor->last_used_step);
  sodium_memzero(key.data(), key.size());
  // The guarded update decides between two requests racing with one code.
  if (!step || !co_await factors_.spend_step(user_id, *step)) co_return SecondFactor::wrong;
  co_return SecondFactor::totp;
}

boost::asio::awaitable<void> MfaService::disable(std::string user_id) { co_await factors_.remove(std::move(user_id)); }

}  // namespace orderly::auth
