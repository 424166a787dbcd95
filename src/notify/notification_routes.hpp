#pragma once

#include <span>
#include <string>

#include "net/router.hpp"
#include "queue/broker.hpp"
#include "store/store.hpp"

namespace orderly::notify {

// GET /api/v1/notifications (a user; their own, newest first, ?limit= and
// ?cursor=): {"items": [{id, order_id, channel, template, status, attempts,
// created_at}], "next_cursor"}. last_error stays internal.
void add_notification_routes(net::Router& router, store::Store& store);

// The dead-letter queue, for admins:
//   GET  /api/v1/admin/dlq[?queue=&limit=]  dead letters of `queues` (or the
//        one asked for), oldest first per queue: {"items": [{id, queue, type,
//        schema_version, attempts, last_error, created_at}], "next_cursor": null}.
//        Never the payload: it may hold personal data (emails, names).
//   POST /api/v1/admin/dlq/{id}/replay      202 {id, status: "replayed"}; 404 when no
//        dead letter has that id.
// `queues` must outlive the router.
void add_dead_letter_routes(net::Router& router, queue::Broker& broker, std::span<const std::string> queues);

}  // namespace orderly::notify
