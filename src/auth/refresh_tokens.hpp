#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::auth {

enum class RefreshOutcome {
  rotated,  // the token was valid: it is spent now and `token` is its successor
  reused,   // the token was already spent: its whole family is revoked (theft suspected)
  invalid,  // unknown, expired or revoked
};

// Where a session is used from, as shown in the sessions list. Both are
// cleaned by the handler (printable ASCII, bounded) before they get here.
struct SessionClient {
  std::string user_agent;
  std::string address;
};

struct NewFamily {
  std::string token;      // the first refresh token
  std::string family_id;  // the session id (the sid claim of its access tokens)
};

struct RefreshResult {
  RefreshOutcome outcome = RefreshOutcome::invalid;
  std::string user_id;     // set for rotated and reused
  std::string family_id;   // set for rotated and reused
  std::string token;       // the new refresh token (rotated only)
};

// Opaque refresh tokens: 256 random bits, base64url; only their SHA-256 is
// stored. Each use spends a token and issues its successor in the same
// family (one family per login); presenting a spent token again means two
// parties hold it, so the family is revoked (OAuth 2.0 Security BCP 4.14).
// Thread-safe.
class RefreshTokens {
 public:
  RefreshTokens(store::Store& store, const core::Clock& clock, std::chrono::seconds lifetime)
      : store_(store), clock_(clock), lifetime_(lifetime) {}

  // A new token in a new family (a login), with the family's row for the sessions list.
  boost::asio::awaitable<NewFamily> start_family(std::string user_id, SessionClient client = {});
  // A rotation also records the use (time, address, user agent) on the family.
  boost::asio::awaitable<RefreshResult> rotate(std::string token, SessionClient client = {});
  // Revokes the token's family (logout). Unknown tokens are ignored.
  boost::asio::awaitable<void> revoke_family_of(std::string token);
  // Revokes every family of the user (role change, password change or reset).
  boost::asio::awaitable<void> revoke_all_of_user(std::string user_id);
  // Revokes every family of the user but `keep_family` (MFA turned on: the
  // session that proved the code goes on, the others end).
  boost::asio::awaitable<void> revoke_others_of_user(std::string user_id, std::string keep_family);

  [[nodiscard]] std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  boost::asio::awaitable<std::string> issue(store::Transaction& tx, const std::string& user_id,
                                            const std::string& family_id);
  boost::asio::awaitable<void> rotate_in(store::Transaction& tx, const std::string& hash, const SessionClient& client,
                                         RefreshResult& result);

  store::Store& store_;
  const core::Clock& clock_;
  std::chrono::seconds lifetime_;
};

}  // namespace orderly::auth
