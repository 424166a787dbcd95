// The audit log's hash chain, without a store: a chain built link by link
// verifies, and each kind of tampering is reported at the first row it breaks.
#include "auth/audit_chain.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace orderly::auth {
namespace {

std::vector<AuditRow> chain(int length) {
  std::vector<AuditRow> rows;
  std::string prev(kAuditGenesisHash);
  for (int i = 1; i <= length; ++i) {
    AuditRow row{i, "aud_" + std::to_string(i), "2026-12-07T10:00:00.000Z", "usr_a", "auth.login_succeeded",
                 "usr_a", "127.0.0.1", "req-" + std::to_string(i), prev, {}};
    row.hash = audit_row_hash(row, prev);
    prev = row.hash;
    rows.push_back(row);
  }
  return rows;
}

std::optional<AuditBreak> first_break(const std::vector<AuditRow>& rows) {
  AuditChainVerifier verifier;
  std::optional<AuditBreak> found;
  for (const auto& row : rows) {
    if (auto broken = verifier.add(row); broken && !found) found = broken;
  }
  return found;
}

TEST(AuditChain, AnUntouchedChainVerifiesToItsHead) {
  const auto rows = chain(4);
  AuditChainVerifier verifier;
  for (const auto& row : rows) EXPECT_FALSE(verifier.add(row).has_value());
  EXPECT_EQ(verifier.head_seq(), 4);
  EXPECT_EQ(verifier.head_hash(), rows.back().hash);
}

TEST(AuditChain, EveryFieldIsCovered) {
  auto rows = chain(3);
  for (auto AuditRow::*field : {&AuditRow::id, &AuditRow::at, &AuditRow::actor, &AuditRow::action, &AuditRow::subject,
                                &AuditRow::address, &AuditRow::request_id}) {
    auto edited = rows;
    edited[1].*field += "x";
    const auto broken = first_break(edited);
    ASSERT_TRUE(broken.has_value());
    EXPECT_EQ(broken->seq, 2);
  }
  auto renumbered = rows;
  renumbered[2].seq = 4;
  ASSERT_TRUE(first_break(renumbered).has_value());
}

TEST(AuditChain, ARehashedEditBreaksTheNextLink) {
  auto rows = chain(3);
  rows[1].actor = "usr_b";
  rows[1].hash = audit_row_hash(rows[1], rows[1].prev_hash);
  const auto broken = first_break(rows);
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->seq, 3);
  EXPECT_NE(broken->reason.find("prev_hash"), std::string::npos);
}

TEST(AuditChain, ADeletedRowIsAGap) {
  auto rows = chain(4);
  rows.erase(rows.begin() + 1);
  const auto broken = first_break(rows);
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->seq, 2);
  EXPECT_NE(broken->reason.find("missing"), std::string::npos);

  auto headless = chain(2);
  headless.erase(headless.begin());
  EXPECT_EQ(first_break(headless)->seq, 1) << "the first row too";
}

TEST(AuditChain, FieldsCannotShiftIntoEachOther) {
  auto rows = chain(1);
  auto shifted = rows[0];
  shifted.actor = "usr_";
  shifted.action = "aauth.login_succeeded";
  EXPECT_NE(audit_row_hash(shifted, kAuditGenesisHash), rows[0].hash);
}

}  // namespace
}  // namespace orderly::auth
