#include "auth/audit_log.hpp"

#include <charconv>

#include "auth/sodium_primitives.hpp"
#include "core/logging.hpp"
#include "core/time_format.hpp"
#include "store/errors.hpp"

namespace orderly::auth {
namespace {

using store::params;

// A writer that keeps losing the race for the next seq gives up after this
// many turns (each turn is one short transaction).
constexpr int kAppendTries = 8;

constexpr store::Statement kExists{"auth.audit.exists", "SELECT 1 AS found FROM audit_log WHERE id = $1"};
constexpr store::Statement kHead{"auth.audit.head", "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"};
constexpr store::Statement kInsert{
    "auth.audit.insert",
    "INSERT INTO audit_log (seq, id, at, actor, action, subject, address, request_id, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
// Empty filter values match every row; the cursor 0 means the newest.
constexpr store::Statement kPage{
    "auth.audit.page",
    "SELECT seq, id, at, actor, action, subject, address, request_id, prev_hash, hash FROM audit_log"
    " WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR at >= $3)"
    " AND ($4 = '' OR at < $4) AND ($5 = 0 OR seq < $5) ORDER BY seq DESC LIMIT $6"};
constexpr store::Statement kWalk{
    "auth.audit.walk",
    "SELECT seq, id, at, actor, action, subject, address, request_id, prev_hash, hash FROM audit_log"
    " WHERE seq > $1 ORDER BY seq LIMIT $2"};

AuditRow row_from(const store::Row& row) {
  return AuditRow{row.int64("seq"),      row.text("id"),        row.text("at"),
                  row.text("actor"),     row.text("action"),    row.text("subject"),
                  row.text("address"),   row.text("request_id"), row.text("prev_hash"),
                  row.text("hash")};
}

double hash_prefix(std::string_view hash) {
  std::uint64_t value = 0;
  const auto digits = hash.substr(0, 12);  // 48 bits: exact in a double
  std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
  return static_cast<double>(value);
}

}  // namespace

AuditLog::AuditLog(store::Store& store, const core::Clock& clock, core::metrics::Registry& metrics)
    : store_(store),
      clock_(clock),
      head_seq_(metrics.gauge("orderly_audit_head_seq", "Seq of the newest audit row this process appended.")
                    .with_labels({})),
      head_hash_prefix_(metrics
                            .gauge("orderly_audit_head_hash_prefix",
                                   "First 12 hex digits of that row's chain hash, as a number (the anchor).")
                            .with_labels({})) {}

boost::asio::awaitable<std::optional<AuditRow>> AuditLog::try_append(const AuditEvent& event) {
  std::optional<AuditRow> appended;
  store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
    if (!(co_await tx.execute(kExists, params(event.id))).empty()) co_return;  // delivered before
    const auto head = co_await tx.execute(kHead);
    AuditRow row{1,           event.id,      event.at,       event.actor, event.action, event.subject,
                 event.address, event.request_id, std::string(kAuditGenesisHash), {}};
    if (!head.empty()) {
      row.seq = head.first().int64("seq") + 1;
      row.prev_hash = head.first().text("hash");
    }
    row.hash = audit_row_hash(row, row.prev_hash);
    co_await tx.execute(kInsert, params(row.seq, row.id, row.at, row.actor, row.action, row.subject, row.address,
                                        row.request_id, row.prev_hash, row.hash));
    appended = std::move(row);
  };
  co_await store_.transaction(std::move(body));
  co_return appended;
}

boost::asio::awaitable<void> AuditLog::append(AuditEvent event) {
  if (event.id.empty()) event.id = "aud_" + base64url_encode(random_bytes(16));
  if (event.at.empty()) event.at = core::format_rfc3339(clock_.now());
  for (int attempt = 1;; ++attempt) {
    try {
      const auto appended = co_await try_append(event);
      if (appended) anchor(*appended);
      co_return;
    } catch (const store::ConstraintViolation& violation) {
      // Another writer took this seq (or this id) first: read the new head.
      if (violation.kind() != store::ConstraintViolation::Kind::unique || attempt >= kAppendTries) throw;
    }
  }
}

boost::asio::awaitable<void> AuditLog::record(AuditEvent event) {
  try {
    co_await append(event);
  } catch (const std::exception& error) {
    core::log::error("audit.append_failed",
                     {{"action", event.action}, {"request_id", event.request_id}, {"error", error.what()}});
  }
}

void AuditLog::anchor(const AuditRow& row) {
  head_seq_.set(static_cast<double>(row.seq));
  head_hash_prefix_.set(hash_prefix(row.hash));
  core::log::info("audit.appended", {{"seq", row.seq}, {"hash", row.hash}, {"action", row.action}});
}

boost::asio::awaitable<AuditPage> AuditLog::page(AuditQuery query) {
  const auto found = co_await store_.query(
      kPage, params(query.actor, query.action, query.since, query.until, query.before_seq, query.limit + 1));
  AuditPage page;
  for (const auto& row : found.rows) page.rows.push_back(row_from(row));
  if (static_cast<std::int64_t>(page.rows.size()) > query.limit) {
    page.rows.pop_back();
    page.next_seq = page.rows.back().seq;
  }
  co_return page;
}

boost::asio::awaitable<void> AuditLog::walk(const std::function<void(const AuditRow&)>& visit, std::int64_t batch) {
  std::int64_t after = 0;
  for (;;) {
    const auto found = co_await store_.query(kWalk, params(after, batch), store::ReadOptions{.allow_replica = false});
    for (const auto& stored : found.rows) {
      const auto row = row_from(stored);
      after = row.seq;
      visit(row);
    }
    if (static_cast<std::int64_t>(found.rows.size()) < batch) co_return;
  }
}

}  // namespace orderly::auth
