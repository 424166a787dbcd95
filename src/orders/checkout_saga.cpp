#include "orders/checkout_saga.hpp"

#include "core/logging.hpp"
#include "core/service_unavailable.hpp"
#include "orders/backoff.hpp"
#include "orders/order_cancellation.hpp"
#include "orders/order_events.hpp"
#include "orders/order_repository.hpp"
#include "core/time_format.hpp"

namespace orderly::orders {
namespace {

namespace asio = boost::asio;

// Every turn of run() moves the saga to another step or returns; the longest
// path (authorize, capture, void, refund, done) takes five.
constexpr int kMaxTurns = 12;

bool is_final(std::string_view step) { return step == kStepDone || step == kStepParked; }

}  // namespace

struct CheckoutSaga::Context {
  std::string owner;
  SagaState saga;
  Order order;  // the row, read before the step's provider call
  Payment payment;
  UserContact contact;
  bool cancelled_order = false;  // set by the commit that cancelled the order
};

CheckoutSaga::CheckoutSaga(store::Store& store, catalog::StockReservations& stock, payments::PaymentsClient& payments,
                           queue::EventOutbox& outbox, UserDirectory& users, const core::Clock& clock,
                           core::Random& random, CheckoutSagaOptions options)
    : store_(store),
      stock_(stock),
      payments_(payments),
      outbox_(outbox),
      users_(users),
      clock_(clock),
      random_(random),
      options_(options) {}

SagaTransition CheckoutSaga::step_to(std::string_view step) const {
  return SagaTransition{step, 0, core::epoch_ms(clock_.now()), std::nullopt, !is_final(step)};
}

asio::awaitable<CheckoutSaga::Outcome> CheckoutSaga::run(std::string order_id, std::string owner) {
  Context context;
  context.owner = std::move(owner);
  for (int turn = 0; turn < kMaxTurns; ++turn) {
    auto saga = co_await saga_store::find(store_, order_id);
    if (!saga || is_final(saga->step)) co_return Outcome::finished;
    auto order = co_await repository::find_order_row(store_, order_id);
    auto payment = co_await repository::find_payment(store_, order_id);
    if (!order || !payment) {
      core::log::error("orders.saga_without_order", {{"order_id", order_id}});
      co_return Outcome::finished;
    }
    if (turn == 0) {
      core::CallContext contact_call;
      auto contact = co_await users_.contact(order->user_id, std::move(contact_call));
      context.contact = contact.value_or(UserContact{});
    }
    context.saga = std::move(*saga);
    context.order = std::move(*order);
    context.payment = std::move(*payment);

    StepResult result;
    bool lost = false;
    try {
      const auto& step = context.saga.step;
      if (step == kStepAuthorize) {
        result = co_await authorize(context);
      } else if (step == kStepCapture) {
        result = co_await capture(context);
      } else if (step == kStepVoid) {
        result = co_await void_authorization(context);
      } else {
        result = co_await refund(context);
      }
    } catch (const SagaLeaseLost&) {
      lost = true;
    }
    if (lost) {
      core::log::warn("orders.saga_lease_lost", {{"order_id", order_id}});
      co_return Outcome::lost;
    }
    if (result) co_return *result;
  }
  core::log::error("orders.saga_turns_exhausted", {{"order_id", order_id}});
  co_return Outcome::lost;  // the lease runs out and another run picks it up
}

asio::awaitable<void> CheckoutSaga::commit(Context& context, Changes changes, Decide decide) {
  const auto now_ms = core::epoch_ms(clock_.now());
  SagaTransition next;
  store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
    context.cancelled_order = false;  // the body may run again after a serialization failure
    if (changes) co_await changes(tx);
    next = decide();
    co_await saga_store::transition(tx, context.order.id, context.owner, next, now_ms,
                                    now_ms + options_.lease.count());
  };
  co_await store_.transaction(std::move(body));
  core::log::info("orders.saga_step", {{"order_id", context.order.id},
                                       {"from", context.saga.step},
                                       {"to", std::string(next.step)},
                                       {"attempts", next.attempts}});
  if (context.cancelled_order) co_await release_stock_quietly(stock_, context.order.id);
}

asio::awaitable<void> CheckoutSaga::move_to(Context& context, std::string_view step, Changes changes) {
  const auto next = step_to(step);
  Decide decide = [next] { return next; };
  co_await commit(context, std::move(changes), std::move(decide));
}

asio::awaitable<void> CheckoutSaga::cancel_if_pending(store::Transaction& tx, Context& context, std::string reason) {
  auto locked = co_await repository::lock_order(tx, context.order.id);
  if (!locked || locked->status != kPendingPayment) co_return;
  auto at = core::format_rfc3339(clock_.now());
  context.cancelled_order = co_await cancel_locked_order(tx, outbox_, std::move(*locked), std::move(reason),
                                                         std::move(at), context.contact, std::string());
}

asio::awaitable<CheckoutSaga::StepResult> CheckoutSaga::retry_later(Context& context, std::string error) {
  const auto attempts = context.saga.attempts + 1;
  const auto delay = full_jitter_backoff(random_, attempts - 1, options_.backoff_base, options_.backoff_max);
  const SagaTransition next{context.saga.step, attempts, core::epoch_ms(clock_.now()) + delay.count(), error, false};
  // Forward steps count provider calls on the payment (GET .../payment shows them).
  const bool forward = context.saga.step == kStepAuthorize || context.saga.step == kStepCapture;
  Changes changes;
  if (forward) {
    changes = [&](store::Transaction& tx) -> asio::awaitable<void> {
      co_await repository::count_payment_attempt(tx, context.order.id);
    };
  }
  Decide decide = [next] { return next; };
  co_await commit(context, std::move(changes), std::move(decide));
  core::log::warn("orders.saga_retry", {{"order_id", context.order.id},
                                        {"step", context.saga.step},
                                        {"attempts", attempts},
                                        {"delay_ms", delay.count()},
                                        {"error", error}});
  co_return Outcome::waiting;
}

asio::awaitable<CheckoutSaga::StepResult> CheckoutSaga::authorize(Context& context) {
  const auto& order = context.order;
  if (order.status != kPendingPayment) {
    // Cancelled (by its owner, or expired) before the card was authorized. A
    // previous run may have reached the provider and crashed before
    // recording it: then the void step finds out and voids.
    const bool maybe_authorized = context.payment.attempts > 0 || context.saga.runs > 1;
    if (maybe_authorized) {
      co_await move_to(context, kStepVoid, nullptr);
    } else {
      Changes nothing_to_pay = [&](store::Transaction& tx) -> asio::awaitable<void> {
        auto at = core::format_rfc3339(clock_.now());
        co_await repository::update_payment(tx, order.id, "voided", std::nullopt, std::nullopt, std::move(at));
      };
      co_await move_to(context, kStepDone, std::move(nothing_to_pay));
    }
    co_return std::nullopt;
  }

  payments::PaymentAnswer answer;
  std::optional<std::string> unavailable;
  try {
    core::CallContext call;
    answer = co_await payments_.authorize(order.id, order.user_id, order.payment_method_id, order.total,
                                          std::move(call));
  } catch (const core::ServiceUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) {
    if (context.saga.attempts + 1 < options_.max_attempts) co_return co_await retry_later(context, *unavailable);
    co_return co_await give_up(context);
  }
  if (!answer.approved && answer.decline_code == payments::kMethodUnavailable) {
    // The card was removed after the order was placed: nothing was asked of the provider.
    Changes card_gone = [&](store::Transaction& tx) -> asio::awaitable<void> {
      auto at = core::format_rfc3339(clock_.now());
      co_await repository::update_payment(tx, order.id, "failed", std::nullopt, answer.decline_code, std::move(at));
      co_await cancel_if_pending(tx, context, std::string(kPaymentFailed));
    };
    co_await move_to(context, kStepDone, std::move(card_gone));
    co_return std::nullopt;
  }

  if (answer.approved) {
    bool still_pending = true;
    Changes authorized = [&](store::Transaction& tx) -> asio::awaitable<void> {
      co_await repository::count_payment_attempt(tx, order.id);
      auto at = core::format_rfc3339(clock_.now());
      co_await repository::update_payment(tx, order.id, "authorized", answer.reference, std::nullopt, std::move(at));
      const auto locked = co_await repository::lock_order(tx, order.id);
      still_pending = locked && locked->status == kPendingPayment;
    };
    // Cancelled while we were asking: void instead of capturing.
    Decide decide = [&] { return step_to(still_pending ? kStepCapture : kStepVoid); };
    co_await commit(context, std::move(authorized), std::move(decide));
    co_return std::nullopt;
  }
  Changes declined = [&](store::Transaction& tx) -> asio::awaitable<void> {
    co_await repository::count_payment_attempt(tx, order.id);
    auto at = core::format_rfc3339(clock_.now());
    co_await repository::update_payment(tx, order.id, "failed", std::nullopt, answer.decline_code, std::move(at));
    co_await cancel_if_pending(tx, context, std::string(kPaymentDeclined));
  };
  co_await move_to(context, kStepDone, std::move(declined));
  co_return std::nullopt;
}

asio::awaitable<CheckoutSaga::StepResult> CheckoutSaga::give_up(Context& context) {
  const auto& order = context.order;
  Changes failed = [&](store::Transaction& tx) -> asio::awaitable<void> {
    co_await repository::count_payment_attempt(tx, order.id);
    co_await cancel_if_pending(tx, context, std::string(kPaymentFailed));
  };
  co_await move_to(context, kStepVoid, std::move(failed));
  co_return std::nullopt;
}

asio::awaitable<CheckoutSaga::StepResult> CheckoutSaga::capture(Context& context) {
  const auto& order = context.order;
  if (order.status != kPendingPayment || !context.payment.authorization_ref) {
    // Cancelled after the authorization: give the hold back.
    co_await move_to(context, kStepVoid, nullptr);
    co_return std::nullopt;
  }
  payments::PaymentAnswer answer;
  std::optional<std::string> unavailable;
  bool stock_gone = false;
  try {
    core::CallContext capture_call;
    answer = co_await payments_.capture(order.id, *context.payment.authorization_ref, order.total,
                                        std::move(capture_call));
    // Paid only with the stock made permanent: capture, then confirm. A
    // retry repeats the capture (same key, the provider's first answer).
    if (answer.approved) {
      core::CallContext confirm_call;
      co_await stock_.confirm(order.id, std::move(confirm_call));
    }
  } catch (const core::ServiceUnavailable& error) {
    unavailable = error.what();
  } catch (const catalog::ReservationGone&) {
    stock_gone = true;  // expired before the money came in: cancel and refund
  }
  if (unavailable) {
    if (context.saga.attempts + 1 < options_.max_attempts) co_return co_await retry_later(context, *unavailable);
    co_return co_await give_up(context);
  }
  if (!answer.approved) {
    Changes declined = [&](store::Transaction& tx) -> asio::awaitable<void> {
      co_await repository::count_payment_attempt(tx, order.id);
      auto at = core::format_rfc3339(clock_.now());
      co_await repository::update_payment(tx, order.id, "failed", std::nullopt, answer.decline_code, std::move(at));
      co_await cancel_if_pending(tx, context, std::string(kPaymentDeclined));
    };
    co_await move_to(context, kStepVoid, std::move(declined));
    co_return std::nullopt;
  }
  bool paid = false;
  Changes captured = [&](store::Transaction& tx) -> asio::awaitable<void> {
    paid = false;
    co_await repository::count_payment_attempt(tx, order.id);
    auto at = core::format_rfc3339(clock_.now());
    co_await repository::update_payment(tx, order.id, "captured", std::nullopt, std::nullopt, at);
    auto locked = co_await repository::lock_order(tx, order.id);
    if (!locked || locked->status != kPendingPayment) co_return;  // cancelled meanwhile: refund
    if (stock_gone) {
      context.cancelled_order = co_await cancel_locked_order(tx, outbox_, std::move(*locked),
                                                             std::string(kReservationExpired), at, context.contact,
                                                             std::string());
      co_return;  // refund
    }
    paid = co_await repository::change_status(tx, *locked, std::string(kPaid), std::nullopt, at);
    if (!paid) co_return;
    OrderEvent event{notify::OrderEventType::paid, order.id, order.user_id, order.total, std::nullopt, std::string()};
    co_await emit_order_event(outbox_, tx, std::move(event), context.contact);
  };
  Decide decide = [&] { return step_to(paid ? kStepDone : kStepRefund); };
  co_await commit(context, std::move(captured), std::move(decide));
  co_return std::nullopt;
}

asio::awaitable<CheckoutSaga::StepResult> CheckoutSaga::void_authorization(Context& context) {
  const auto& order = context.order;
  auto reference = context.payment.authorization_ref;
  if (!reference) {
    if (context.payment.attempts == 0 && context.saga.runs <= 1) {
      Changes nothing_to_void = [&](store::Transaction& tx) -> asio::awaitable<void> {
        auto at = core::format_rfc3339(clock_.now());
        co_await repository::update_payment(tx, order.id, "voided", std::nullopt, std::nullopt, std::move(at));
      };
      co_await move_to(context, kStepDone, std::move(nothing_to_void));
      co_return std::nullopt;
    }
    // An authorize call may have succeeded without its answer being
    // recorded. Asking again with the same key returns that first answer
    // (or authorizes now, which the void below undoes): either way we learn
    // what to void.
    payments::PaymentAnswer first_answer;
    std::optional<std::string> unavailable;
    try {
      core::CallContext call;
      first_answer = co_await payments_.authorize(order.id, order.user_id, order.payment_method_id, order.total,
                                                  std::move(call));
    } catch (const core::ServiceUnavailable& error) {
      unavailable = error.what();
    }
    if (unavailable) co_return co_await retry_later(context, *unavailable);
    if (!first_answer.approved && first_answer.decline_code == payments::kMethodUnavailable) {
      core::log::error("orders.saga_cannot_void", {{"order_id", order.id}, {"reason", "payment method gone"}});
      Changes park = [&](store::Transaction&) -> asio::awaitable<void> { co_return; };
      auto next = step_to(kStepParked);
      next.last_error = "authorization unknown and payment method gone";
      Decide decide = [next] { return next; };
      co_await commit(context, std::move(park), std::move(decide));
      co_return std::nullopt;
    }
    if (!first_answer.approved) {
      Changes never_authorized = [&](store::Transaction& tx) -> asio::awaitable<void> {
        auto at = core::format_rfc3339(clock_.now());
        co_await repository::update_payment(tx, order.id, "failed", std::nullopt, first_answer.decline_code,
                                            std::move(at));
      };
      co_await move_to(context, kStepDone, std::move(never_authorized));
      co_return std::nullopt;
    }
    reference = first_answer.reference;
  }

  payments::PaymentAnswer answer;
  std::optional<std::string> unavailable;
  try {
    core::CallContext call;
    answer = co_await payments_.void_authorization(order.id, *reference, std::move(call));
  } catch (const core::ServiceUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) co_return co_await retry_later(context, *unavailable);
  const auto status = answer.approved ? std::string("voided") : context.payment.status;
  Changes voided = [&](store::Transaction& tx) -> asio::awaitable<void> {
    auto at = core::format_rfc3339(clock_.now());
    co_await repository::update_payment(tx, order.id, status, reference, std::nullopt, std::move(at));
  };
  // A void the provider refuses means the money was already captured: refund it.
  co_await move_to(context, answer.approved ? kStepDone : kStepRefund, std::move(voided));
  co_return std::nullopt;
}

asio::awaitable<CheckoutSaga::StepResult> CheckoutSaga::refund(Context& context) {
  const auto& order = context.order;
  const auto reference = context.payment.authorization_ref;
  payments::PaymentAnswer answer;
  std::optional<std::string> unavailable;
  try {
    // A paid order's stock was confirmed: it comes back with the refund,
    // and this step retries until the catalog has taken it (idempotent).
    core::CallContext release_call;
    co_await stock_.release(order.id, std::move(release_call));
    if (reference) {
      core::CallContext refund_call;
      answer = co_await payments_.refund(order.id, *reference, order.total, std::move(refund_call));
    }
  } catch (const core::ServiceUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) co_return co_await retry_later(context, *unavailable);
  if (!reference || !answer.approved) {
    core::log::error("orders.saga_refund_refused",
                     {{"order_id", order.id}, {"decline_code", reference ? answer.decline_code : "no_authorization"}});
    auto next = step_to(kStepParked);
    next.last_error = "refund refused: " + (reference ? answer.decline_code : std::string("no authorization"));
    Decide decide = [next] { return next; };
    co_await commit(context, nullptr, std::move(decide));
    co_return std::nullopt;
  }
  Changes refunded = [&](store::Transaction& tx) -> asio::awaitable<void> {
    auto at = core::format_rfc3339(clock_.now());
    co_await repository::update_payment(tx, order.id, "refunded", std::nullopt, std::nullopt, std::move(at));
  };
  co_await move_to(context, kStepDone, std::move(refunded));
  co_return std::nullopt;
}

}  // namespace orderly::orders
