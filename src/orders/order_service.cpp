#include "orders/order_service.hpp"

#include <boost/json/serialize.hpp>

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/problem.hpp"
#include "orders/order_cancellation.hpp"
#include "orders/order_events.hpp"
#include "orders/order_json.hpp"
#include "orders/order_repository.hpp"
#include "orders/saga_store.hpp"
#include "core/time_format.hpp"

namespace orderly::orders {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kProblemJson = "application/problem+json";

RecordedResponse problem_response(core::Problem problem) {
  return RecordedResponse{problem.status, std::string(kProblemJson), std::nullopt, problem.to_json()};
}

// The lines of one order must share a currency: the total is one Money.
class MixedCurrencies : public std::runtime_error {
 public:
  MixedCurrencies() : std::runtime_error("mixed currencies") {}
};

[[noreturn]] void throw_not_found() {
  throw core::ProblemError({404, "/problems/not-found", "Not found", "no such order", {}});
}

}  // namespace

asio::awaitable<OrderService::Placed> OrderService::place(std::string user_id, std::string idempotency_key,
                                                          std::string fingerprint, CreateOrderRequest request,
                                                          std::string traceparent) {
  if (parts_.require_verified_email) {
    // Before the key is taken, so the same key works once the address is verified.
    core::CallContext contact_call;
    const auto contact = co_await parts_.users.contact(user_id, std::move(contact_call));
    if (!contact || !contact->email_verified) {
      throw core::ProblemError({403, "/problems/email-unverified", "E-mail address not verified",
                                "confirm your e-mail address before checkout: open the link mailed at signup, or ask"
                                " for a new one with POST /api/v1/auth/verify-email/resend",
                                {}});
    }
  }
  const auto decision = co_await parts_.idempotency.begin(user_id, idempotency_key, fingerprint);
  switch (decision.kind) {
    case IdempotencyDecision::Kind::replay:
      co_return Placed{decision.recorded, true};
    case IdempotencyDecision::Kind::in_progress:
      throw core::ProblemError({409, "/problems/idempotency-key-in-use", "Request in progress",
                                "a request with this Idempotency-Key is still being processed; retry later", {}});
    case IdempotencyDecision::Kind::mismatch:
      throw core::ProblemError({422, "/problems/idempotency-key-reused", "Idempotency-Key reused",
                                "this Idempotency-Key was used with a different request", {}});
    case IdempotencyDecision::Kind::run:
      break;
  }
  std::exception_ptr failure;
  RecordedResponse response;
  bool lost_key = false;
  try {
    response = co_await create(decision.owned, user_id, request, traceparent);
  } catch (const IdempotencyLeaseLost&) {
    lost_key = true;
  } catch (...) {
    failure = std::current_exception();
  }
  if (lost_key) {
    // A retry took the key over after our lease ran out; our transaction
    // rolled back, so only the retry's answer counts.
    throw core::ProblemError({409, "/problems/idempotency-key-in-use", "Request in progress",
                              "a retry with this Idempotency-Key took over this request", {}});
  }
  if (failure) {
    // A passing failure (database unavailable): nothing committed, so the
    // key is released and the client's retry runs afresh.
    co_await parts_.idempotency.abandon(decision.owned);
    std::rethrow_exception(failure);
  }
  co_return Placed{std::move(response), false};
}

asio::awaitable<RecordedResponse> OrderService::create(const IdempotencyKeyRef& owned, const std::string& user_id,
                                                       CreateOrderRequest& request, const std::string& traceparent) {
  // The payment method must be the caller's; orders never sees its number.
  core::CallContext method_call;
  const bool has_method = co_await parts_.payments.has_method(user_id, request.payment_method_id,
                                                              std::move(method_call));
  if (!has_method) {
    auto refused = problem_response({422, "/problems/validation", "Invalid order", "unknown payment method",
                                     {{"payment_method_id", "no such payment method"}}});
    co_await parts_.idempotency.complete_without_effect(owned, refused);
    co_return refused;
  }
  core::CallContext contact_call;
  const auto found_contact = co_await parts_.users.contact(user_id, std::move(contact_call));
  const auto contact = found_contact.value_or(UserContact{});

  const auto now = parts_.clock.now();
  Order order;
  order.id = core::random_hex(parts_.random, 16);
  order.user_id = user_id;
  order.status = std::string(kPendingPayment);
  order.payment_method_id = request.payment_method_id;
  order.shipping_address = request.shipping_address;
  order.created_at = core::format_rfc3339(now);
  order.created_at_ms = core::epoch_ms(now);
  order.updated_at = order.created_at;
  order.history.push_back({std::string(kPendingPayment), order.created_at, std::nullopt});

  // The stock first, synchronously before the 201: an order exists only
  // with its stock held, and a refused order leaves nothing reserved.
  std::optional<RecordedResponse> refused;
  bool reserved = false;
  try {
    core::CallContext reserve_call;
    auto lines = co_await parts_.stock.reserve(order.id, request.items, parts_.reservation_ttl,
                                               std::move(reserve_call));
    reserved = true;
    order.total = {0, lines.empty() ? std::string() : lines.front().unit_price.currency};
    for (auto& line : lines) {
      if (line.unit_price.currency != order.total.currency) throw MixedCurrencies();
      order.total.amount += line.unit_price.amount * line.quantity;
      order.items.push_back({line.product_id, line.sku, line.name, line.unit_price, line.quantity});
    }
  } catch (const catalog::OutOfStock& error) {
    refused = problem_response({409, "/problems/out-of-stock", "Out of stock",
                                "not enough stock for product " + error.product_id, {}});
  } catch (const catalog::UnknownProduct& error) {
    refused = problem_response({422, "/problems/validation", "Invalid order", "unknown product",
                                {{"items", "no such product: " + error.product_id}}});
  } catch (const MixedCurrencies&) {
    refused = problem_response({422, "/problems/validation", "Invalid order", "products in different currencies",
                                {{"items", "all products of one order must share a currency"}}});
  }
  if (refused) {
    // The refusal is the key's answer from now on; a reservation made for it
    // (mixed currencies) goes back at once.
    if (reserved) co_await release_stock_quietly(parts_.stock, order.id);
    co_await parts_.idempotency.complete_without_effect(owned, *refused);
    co_return *refused;
  }

  RecordedResponse created;
  store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
    co_await repository::insert_order(tx, order);
    co_await saga_store::insert(tx, order.id, order.created_at_ms);
    OrderEvent event{notify::OrderEventType::created, order.id, order.user_id, order.total, std::nullopt, traceparent};
    co_await emit_order_event(parts_.outbox, tx, std::move(event), contact);
    created = RecordedResponse{201, "application/json", "/api/v1/orders/" + order.id,
                               boost::json::serialize(order_json(order, true))};
    co_await parts_.idempotency.complete(tx, owned, created, order.id);
  };
  std::exception_ptr not_committed;
  try {
    co_await parts_.store.transaction(std::move(body));
  } catch (...) {
    not_committed = std::current_exception();
  }
  if (not_committed) {
    // No order: give its stock back now rather than at the reservation's expiry.
    co_await release_stock_quietly(parts_.stock, order.id);
    std::rethrow_exception(not_committed);
  }
  if (parts_.wake_sagas) parts_.wake_sagas();
  core::log::info("orders.created", {{"order_id", order.id}, {"user_id", user_id}, {"amount", order.total.amount}});
  co_return created;
}

asio::awaitable<std::optional<Order>> OrderService::find(std::string order_id) {
  co_return co_await repository::find_order(parts_.store, std::move(order_id));
}

asio::awaitable<Order> OrderService::cancel(std::string order_id, std::string traceparent) {
  const auto current = co_await repository::find_order_row(parts_.store, order_id);
  if (!current) throw_not_found();
  core::CallContext contact_call;
  const auto found_contact = co_await parts_.users.contact(current->user_id, std::move(contact_call));
  const auto contact = found_contact.value_or(UserContact{});
  bool shipped = false;
  bool changed = false;
  store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
    shipped = changed = false;
    auto locked = co_await repository::lock_order(tx, order_id);
    if (!locked || locked->status == kCancelled) co_return;  // cancelling twice is a no-op
    if (locked->status == kShipped) {
      shipped = true;
      co_return;
    }
    const bool was_paid = locked->status == kPaid;
    const auto now = parts_.clock.now();
    std::string reason(kCancelledByUser);
    auto at = core::format_rfc3339(now);
    changed = co_await cancel_locked_order(tx, parts_.outbox, *locked, std::move(reason), std::move(at), contact,
                                           traceparent);
    if (!changed) co_return;
    if (was_paid) {
      co_await saga_store::start_refund(tx, order_id, core::epoch_ms(now));
    } else {
      co_await saga_store::make_due(tx, order_id, core::epoch_ms(now));  // a running saga voids what it holds
    }
  };
  co_await parts_.store.transaction(std::move(body));
  if (shipped) {
    throw core::ProblemError({409, "/problems/order-shipped", "Order already shipped",
                              "a shipped order cannot be cancelled", {}});
  }
  if (changed) {
    // The stock comes back now; if the catalog cannot take it, a pending
    // order's reservation expires and a paid one's comes back with the
    // refund (the saga's refund step retries until the catalog answers).
    co_await release_stock_quietly(parts_.stock, order_id);
    if (parts_.wake_sagas) parts_.wake_sagas();
    core::log::info("orders.cancelled", {{"order_id", order_id}, {"reason", kCancelledByUser}});
  }
  auto order = co_await repository::find_order(parts_.store, order_id);
  if (!order) throw_not_found();
  co_return std::move(*order);
}

asio::awaitable<Order> OrderService::ship(std::string order_id, std::string traceparent) {
  const auto current = co_await repository::find_order_row(parts_.store, order_id);
  if (!current) throw_not_found();
  core::CallContext contact_call;
  const auto found_contact = co_await parts_.users.contact(current->user_id, std::move(contact_call));
  const auto contact = found_contact.value_or(UserContact{});
  std::string status_seen;
  store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
    auto locked = co_await repository::lock_order(tx, order_id);
    status_seen = locked ? locked->status : std::string();
    if (!locked || locked->status != kPaid) co_return;
    std::string shipped(kShipped);
    auto at = core::format_rfc3339(parts_.clock.now());
    const bool changed = co_await repository::change_status(tx, *locked, std::move(shipped), std::nullopt,
                                                            std::move(at));
    if (!changed) co_return;
    OrderEvent event{notify::OrderEventType::shipped, locked->id, locked->user_id, locked->total, std::nullopt, traceparent};
    co_await emit_order_event(parts_.outbox, tx, std::move(event), contact);
  };
  co_await parts_.store.transaction(std::move(body));
  if (status_seen != kPaid) {
    throw core::ProblemError({409, "/problems/order-not-paid", "Order not paid",
                              "only a paid order can be shipped; this one is " + status_seen, {}});
  }
  auto order = co_await repository::find_order(parts_.store, order_id);
  if (!order) throw_not_found();
  co_return std::move(*order);
}

asio::awaitable<std::size_t> OrderService::expire_reservations(std::chrono::milliseconds timeout, std::int64_t limit) {
  const auto cutoff = core::epoch_ms(parts_.clock.now()) - timeout.count();
  const auto stale = co_await repository::stale_pending_orders(parts_.store, cutoff, limit);
  std::size_t expired = 0;
  for (const auto& order_id : stale) {
    const auto current = co_await repository::find_order_row(parts_.store, order_id);
    if (!current) continue;
    core::CallContext contact_call;
    const auto found_contact = co_await parts_.users.contact(current->user_id, std::move(contact_call));
    const auto contact = found_contact.value_or(UserContact{});
    bool cancelled = false;
    store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
      cancelled = false;
      auto locked = co_await repository::lock_order(tx, order_id);
      // The saga may have paid it (or its owner cancelled it) since the scan.
      if (!locked || locked->status != kPendingPayment || locked->created_at_ms >= cutoff) co_return;
      const auto now = parts_.clock.now();
      std::string reason(kReservationExpired);
      auto at = core::format_rfc3339(now);
      cancelled = co_await cancel_locked_order(tx, parts_.outbox, *locked, std::move(reason), std::move(at), contact,
                                               std::string());
      if (cancelled) co_await saga_store::make_due(tx, order_id, core::epoch_ms(now));
    };
    co_await parts_.store.transaction(std::move(body));
    if (!cancelled) continue;
    ++expired;
    co_await release_stock_quietly(parts_.stock, order_id);
    core::log::info("orders.cancelled", {{"order_id", order_id}, {"reason", kReservationExpired}});
  }
  if (expired > 0 && parts_.wake_sagas) parts_.wake_sagas();
  co_return expired;
}

}  // namespace orderly::orders
