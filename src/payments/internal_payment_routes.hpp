#pragma once

#include "net/router.hpp"
#include "payments/api/payments_client.hpp"

namespace orderly::payments {

// The payments service's internal API for the orders service (the routes of
// api/payments_wire.hpp), mounted on the internal listener only. Each money
// call is idempotent by order id (PaymentsService derives the provider's key
// from it); a provider that cannot answer becomes 503 with Retry-After at the
// request boundary. No card number is in a request or an answer. `payments`
// must outlive the router.
void add_internal_payment_routes(net::Router& router, PaymentsClient& payments);

}  // namespace orderly::payments
