#include "orders/schema.hpp"

namespace orderly::orders {
namespace {

// Times that code compares (expiry, leases, back-off, ordering) are integer
// milliseconds since the epoch from core::Clock, so tests drive them with a
// ManualClock; times shown to users are RFC 3339 text beside them.
constexpr store::Migration kMigrations[] = {
    {400, "orders",
     R"(CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'cancelled')),
  cancel_reason TEXT,
  total_amount INTEGER NOT NULL CHECK (total_amount >= 0),
  currency TEXT NOT NULL,
  payment_method_id TEXT NOT NULL,
  shipping_address TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_by_user ON orders (user_id, created_at_ms DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at_ms DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at_ms);
CREATE TABLE order_items (
  order_id TEXT NOT NULL REFERENCES orders (id),
  line INTEGER NOT NULL,
  product_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  unit_amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, line)
);
CREATE TABLE order_history (
  order_id TEXT NOT NULL REFERENCES orders (id),
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT,
  PRIMARY KEY (order_id, seq)
);
CREATE TABLE payments (
  order_id TEXT PRIMARY KEY REFERENCES orders (id),
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'authorized', 'captured', 'voided', 'refunded', 'failed')),
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  authorization_ref TEXT,
  decline_code TEXT,
  authorize_key TEXT NOT NULL,
  capture_key TEXT NOT NULL,
  void_key TEXT NOT NULL,
  refund_key TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE checkout_sagas (
  order_id TEXT PRIMARY KEY REFERENCES orders (id),
  step TEXT NOT NULL CHECK (step IN ('authorize', 'capture', 'void', 'refund', 'done', 'parked')),
  attempts INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until_ms INTEGER,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX checkout_sagas_due ON checkout_sagas (next_attempt_at_ms) WHERE step NOT IN ('done', 'parked');
CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
  lease_token TEXT NOT NULL,
  lease_until_ms INTEGER NOT NULL,
  response_status INTEGER,
  response_content_type TEXT,
  response_location TEXT,
  response_body TEXT,
  order_id TEXT,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);)",
     R"(CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'shipped', 'cancelled')),
  cancel_reason TEXT,
  total_amount BIGINT NOT NULL CHECK (total_amount >= 0),
  currency TEXT NOT NULL,
  payment_method_id TEXT NOT NULL,
  shipping_address TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX orders_by_user ON orders (user_id, created_at_ms DESC, id DESC);
CREATE INDEX orders_by_time ON orders (created_at_ms DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at_ms);
CREATE TABLE order_items (
  order_id TEXT NOT NULL REFERENCES orders (id),
  line BIGINT NOT NULL,
  product_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  unit_amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, line)
);
CREATE TABLE order_history (
  order_id TEXT NOT NULL REFERENCES orders (id),
  seq BIGINT NOT NULL,
  status TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT,
  PRIMARY KEY (order_id, seq)
);
CREATE TABLE payments (
  order_id TEXT PRIMARY KEY REFERENCES orders (id),
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'authorized', 'captured', 'voided', 'refunded', 'failed')),
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  authorization_ref TEXT,
  decline_code TEXT,
  authorize_key TEXT NOT NULL,
  capture_key TEXT NOT NULL,
  void_key TEXT NOT NULL,
  refund_key TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE checkout_sagas (
  order_id TEXT PRIMARY KEY REFERENCES orders (id),
  step TEXT NOT NULL CHECK (step IN ('authorize', 'capture', 'void', 'refund', 'done', 'parked')),
  attempts BIGINT NOT NULL DEFAULT 0,
  runs BIGINT NOT NULL DEFAULT 0,
  next_attempt_at_ms BIGINT NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until_ms BIGINT,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX checkout_sagas_due ON checkout_sagas (next_attempt_at_ms) WHERE step NOT IN ('done', 'parked');
CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
  lease_token TEXT NOT NULL,
  lease_until_ms BIGINT NOT NULL,
  response_status BIGINT,
  response_content_type TEXT,
  response_location TEXT,
  response_body TEXT,
  order_id TEXT,
  created_at_ms BIGINT NOT NULL,
  PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);)"},
};

}  // namespace

std::span<const store::Migration> orders_migrations() { return kMigrations; }

}  // namespace orderly::orders
