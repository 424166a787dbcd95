#pragma once

#include <string>

#include "core/config.hpp"

namespace orderly::app {

// `orderly audit verify [--anchor SEQ:HASH]`: walks the audit log in seq
// order and checks every link of its hash chain (auth/audit_chain.hpp). With
// an anchor (the seq and hash of an `audit.appended` log line, or of the
// gauges), it also checks that the row at SEQ still has HASH and that the
// table still reaches SEQ, which catches a rewritten or truncated tail.
// Prints one line; exit 0 when the chain holds, 1 with the first broken link
// (or an error) on stderr, 2 for a malformed anchor.
int verify_audit_log(const core::Config& config, const std::string& anchor);

}  // namespace orderly::app
