#pragma once

#include "auth/audit_log.hpp"
#include "net/router.hpp"

namespace orderly::auth {

// Adds GET /api/v1/admin/audit (admins): filters actor=, action=, since= and
// until= (RFC 3339, UTC: YYYY-MM-DDTHH:MM:SS[.fff]Z; since inclusive, until
// exclusive), limit= (1..100, default 50) and cursor= (the next_cursor of the
// page before; opaque). Answers {items: [{id, seq, at, actor, action,
// subject, address, request_id, hash}], next_cursor} newest first; a bad
// filter is a 422 naming it. `audit` must outlive the router.
void add_audit_routes(net::Router& router, AuditLog& audit);

}  // namespace orderly::auth
