#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orderly::auth {

// One row of the audit log as stored. Never holds a secret: who did what to
// whom, from where, in which request.
struct AuditRow {
  std::int64_t seq = 0;  // 1, 2, 3, ... with no gap
  std::string id;        // the event id (dedupes an event delivered twice)
  std::string at;        // RFC 3339
  std::string actor;     // the user id that acted; empty for an anonymous caller
  std::string action;    // "auth.login_succeeded", "auth.roles_changed", ...
  std::string subject;   // whom or what it was done to
  std::string address;
  std::string request_id;
  std::string prev_hash;  // the hash of row seq - 1 (kAuditGenesisHash for row 1)
  std::string hash;
};

inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SHA-256 (hex) over `prev_hash` and every other field of `row` but its own
// hash, as one JSON array, so no two rows can serialise alike.
[[nodiscard]] std::string audit_row_hash(const AuditRow& row, std::string_view prev_hash);

struct AuditBreak {
  std::int64_t seq = 0;  // the first row that does not verify
  std::string reason;
};

// Checks rows in seq order: each must follow the one before (no gap, no
// deletion), name its hash as prev_hash, and hash to what it stores. Not
// thread-safe; one verifier per walk.
class AuditChainVerifier {
 public:
  // nullopt while the chain holds; the first break is reported once and
  // every later row is ignored.
  std::optional<AuditBreak> add(const AuditRow& row);

  [[nodiscard]] std::int64_t head_seq() const { return expected_seq_ - 1; }
  [[nodiscard]] const std::string& head_hash() const { return prev_hash_; }

 private:
  std::int64_t expected_seq_ = 1;
  std::string prev_hash_{kAuditGenesisHash};
  bool broken_ = false;
};

}  // namespace orderly::auth
