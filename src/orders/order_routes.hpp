#pragma once

#include "net/router.hpp"
#include "orders/order_service.hpp"
#include "orders/order_status_stream.hpp"

namespace orderly::orders {

// The Orders and payment rows of API.md:
//   POST /api/v1/orders                  user (Idempotency-Key required)
//   GET  /api/v1/orders                  user: own orders; admin: everyone's, ?user_id= filters;
//                                        ?status= keeps one status (422 for an unknown one)
//   GET  /api/v1/orders/{id}             owner, admin (404 for anyone else)
//   GET  /api/v1/orders/{id}/events      owner, admin: the live status (text/event-stream)
//   POST /api/v1/orders/{id}/cancel      owner, admin
//   POST /api/v1/orders/{id}/ship        admin
//   GET  /api/v1/orders/{id}/payment     owner, admin
// `service` and `streams` must outlive the router.
void add_order_routes(net::Router& router, OrderService& service, store::Store& store,
                      OrderStatusStreams& streams);

}  // namespace orderly::orders
