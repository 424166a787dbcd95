#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/key_ring.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// A user's TOTP factor as stored: the secret sealed with the key ring, and
// the last step a code was accepted for.
struct TotpFactor {
  SealedBox secret;
  bool confirmed = false;           // MFA is on (a first code confirmed the enrolment)
  std::int64_t last_used_step = -1;
};

// The mfa_totp and mfa_recovery_codes tables, and users.mfa_enabled_at_ms.
// Recovery codes arrive here already hashed. Every "spend" is one guarded
// UPDATE, so two requests racing with one code cannot both win. Thread-safe.
class TotpFactors {
 public:
  TotpFactors(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  // Stores a pending (unconfirmed) secret, replacing an earlier pending one.
  // false when MFA is already on (the confirmed secret is kept).
  boost::asio::awaitable<bool> store_pending(std::string user_id, SealedBox secret);
  boost::asio::awaitable<std::optional<TotpFactor>> find(std::string user_id);
  // Turns MFA on, in one transaction: confirms the pending secret with the
  // step of its first code as used, stores the recovery-code hashes, sets
  // users.mfa_enabled_at_ms. false when nothing was pending.
  boost::asio::awaitable<bool> confirm(std::string user_id, std::int64_t step,
                                       std::vector<std::string> recovery_code_hashes);
  // Records `step` as used when it is later than the last used one; false
  // otherwise (a replay, or a concurrent use of the same code).
  boost::asio::awaitable<bool> spend_step(std::string user_id, std::int64_t step);
  // Spends an unused recovery code of the user; false when there is none with that hash.
  boost::asio::awaitable<bool> spend_recovery_code(std::string user_id, std::string code_hash);
  // Turns MFA off: forgets the secret and the recovery codes and raises the
  // token version (admin routes refuse the tokens issued with MFA at once).
  boost::asio::awaitable<void> remove(std::string user_id);

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

}  // namespace orderly::auth
