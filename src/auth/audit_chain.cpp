#include "auth/audit_chain.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {

std::string audit_row_hash(const AuditRow& row, std::string_view prev_hash) {
  const boost::json::array fields{prev_hash,  row.seq,     row.id,      row.at,        row.actor,
                                  row.action, row.subject, row.address, row.request_id};
  return sha256_hex(boost::json::serialize(fields));
}

std::optional<AuditBreak> AuditChainVerifier::add(const AuditRow& row) {
  if (broken_) return std::nullopt;
  std::optional<AuditBreak> found;
  if (row.seq != expected_seq_) {
    found = AuditBreak{expected_seq_, "row " + std::to_string(expected_seq_) + " is missing (next stored row is " +
                                          std::to_string(row.seq) + ")"};
  } else if (row.prev_hash != prev_hash_) {
    found = AuditBreak{row.seq, "prev_hash does not match the hash of the row before"};
  } else if (audit_row_hash(row, prev_hash_) != row.hash) {
    found = AuditBreak{row.seq, "the row's content does not match its hash (edited)"};
  }
  if (found) {
    broken_ = true;
    return found;
  }
  prev_hash_ = row.hash;
  ++expected_seq_;
  return std::nullopt;
}

}  // namespace orderly::auth
