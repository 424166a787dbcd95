#include "app/audit_command.hpp"

#include <charconv>
#include <iostream>
#include <optional>

#include "app/store_setup.hpp"
#include "auth/audit_chain.hpp"
#include "auth/audit_log.hpp"
#include "core/clock.hpp"
#include "core/run_sync.hpp"

namespace orderly::app {
namespace {

struct Anchor {
  std::int64_t seq = 0;
  std::string hash;
};

std::optional<Anchor> parse_anchor(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  Anchor anchor;
  const auto seq = text.substr(0, colon);
  const auto [end, error] = std::from_chars(seq.data(), seq.data() + seq.size(), anchor.seq);
  if (seq.empty() || error != std::errc() || end != seq.data() + seq.size() || anchor.seq < 1) return std::nullopt;
  anchor.hash = std::string(text.substr(colon + 1));
  if (anchor.hash.size() != 64) return std::nullopt;
  return anchor;
}

}  // namespace

int verify_audit_log(const core::Config& config, const std::string& anchor_text) {
  std::optional<Anchor> anchor;
  if (!anchor_text.empty()) {
    anchor = parse_anchor(anchor_text);
    if (!anchor) {
      std::cerr << "orderly: audit: --anchor must be SEQ:HASH (an audit.appended line's seq and hash)\n";
      return 2;
    }
  }
  core::metrics::Registry metrics;
  core::SystemClock clock;
  try {
    const auto store = open_migrated_store(config, metrics);
    auth::AuditLog log(*store, clock, metrics);
    auth::AuditChainVerifier verifier;
    std::optional<auth::AuditBreak> broken;
    std::optional<std::string> anchored_hash;
    core::run_sync(log.walk([&](const auth::AuditRow& row) {
      if (auto found = verifier.add(row); found && !broken) broken = std::move(found);
      if (anchor && row.seq == anchor->seq) anchored_hash = row.hash;
    }));
    if (broken) {
      std::cerr << "audit: broken at seq " << broken->seq << ": " << broken->reason << "\n";
      return 1;
    }
    if (anchor && verifier.head_seq() < anchor->seq) {
      std::cerr << "audit: broken at seq " << verifier.head_seq() + 1 << ": the log ends at seq " << verifier.head_seq()
                << " but was anchored at seq " << anchor->seq << " (truncated)\n";
      return 1;
    }
    if (anchor && anchored_hash != anchor->hash) {
      std::cerr << "audit: broken at seq " << anchor->seq << ": the row's hash differs from the anchor (rewritten)\n";
      return 1;
    }
    std::cout << "audit: " << verifier.head_seq() << " rows verified; head seq " << verifier.head_seq() << " hash "
              << verifier.head_hash() << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "orderly: audit: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace orderly::app
