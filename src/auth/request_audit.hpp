#pragma once

#include <string>

#include "auth/audit_log.hpp"
#include "net/http_message.hpp"
#include "net/request_context.hpp"

namespace orderly::auth {

// The audit event of a request: the action, who did it (empty for an
// anonymous caller) and to whom, with the request's address and id.
[[nodiscard]] inline AuditEvent request_audit_event(const net::RequestContext& context, const net::Request& request,
                                                    std::string action, std::string actor, std::string subject) {
  AuditEvent event;
  event.action = std::move(action);
  event.actor = std::move(actor);
  event.subject = std::move(subject);
  event.address = request.remote_address;
  event.request_id = context.request_id;
  return event;
}

}  // namespace orderly::auth
