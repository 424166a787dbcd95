#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/audit_chain.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// What an event says; the log adds seq, time (when `at` is empty) and the chain.
struct AuditEvent {
  std::string id;  // empty: a fresh random id
  std::string at;  // empty: now
  std::string actor;
  std::string action;
  std::string subject;
  std::string address;
  std::string request_id;
};

struct AuditQuery {
  std::string actor;   // empty: any
  std::string action;  // empty: any
  std::string since;   // RFC 3339, inclusive; empty: no bound
  std::string until;   // RFC 3339, exclusive; empty: no bound
  std::int64_t limit = 50;
  std::int64_t before_seq = 0;  // the cursor: rows older than this; 0: from the newest
};

struct AuditPage {
  std::vector<AuditRow> rows;            // newest first
  std::optional<std::int64_t> next_seq;  // the cursor of the next page, when there may be one
};

// The audit log: an append-only table owned by auth, each row chained to the
// one before by a hash (audit_chain.hpp). Rows are appended by one writer at a
// time: a second writer that read the same head loses the race for its seq
// (a primary key) and tries again on the new head. After each append the new
// head is anchored outside the table: the log line audit.appended {seq, hash}
// and the gauges orderly_audit_head_seq and orderly_audit_head_hash_prefix (the
// hash's first 12 hex digits as a number), which `orderly audit verify
// --anchor` checks against. Thread-safe.
class AuditLog {
 public:
  AuditLog(store::Store& store, const core::Clock& clock, core::metrics::Registry& metrics);

  // Appends `event` unless a row with its id exists (an event delivered
  // twice). Throws store errors; callers that must not fail on the log
  // catch them (see record()).
  boost::asio::awaitable<void> append(AuditEvent event);
  // append() that logs a failure (audit.append_failed) instead of throwing:
  // for the request paths, which go on without their row.
  boost::asio::awaitable<void> record(AuditEvent event);

  boost::asio::awaitable<AuditPage> page(AuditQuery query);

  // Every row in seq order, `batch` at a time, to `visit` (verification).
  boost::asio::awaitable<void> walk(const std::function<void(const AuditRow&)>& visit, std::int64_t batch = 1000);

 private:
  boost::asio::awaitable<std::optional<AuditRow>> try_append(const AuditEvent& event);
  void anchor(const AuditRow& row);

  store::Store& store_;
  const core::Clock& clock_;
  core::metrics::Gauge& head_seq_;
  core::metrics::Gauge& head_hash_prefix_;
};

}  // namespace orderly::auth
