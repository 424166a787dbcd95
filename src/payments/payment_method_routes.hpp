#pragma once

#include "core/clock.hpp"
#include "net/router.hpp"
#include "payments/store_card_vault.hpp"

namespace orderly::payments {

// POST /api/v1/payment-methods (save a card) and GET /api/v1/payment-methods
// (the caller's cards), both for signed-in users (API.md, "Payment
// methods"). Answers never carry the number or the CVC; the request body,
// which does, is wiped once parsed. `vault` and `clock` must outlive the router.
void add_payment_method_routes(net::Router& router, StoreCardVault& vault, const core::Clock& clock);

}  // namespace orderly::payments
