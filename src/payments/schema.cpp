#include "payments/schema.hpp"

namespace orderly::payments {
namespace {

constexpr store::Migration kMigrations[] = {
    {300, "payment_methods",
     // One row per saved card. The number is only in sealed_number, encrypted
     // under the vault key named by key_id (see card_cipher.hpp); the CVC is
     // never stored. created_at is RFC 3339 UTC text in both dialects.
     "CREATE TABLE payment_methods ("
     " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, brand TEXT NOT NULL, last4 TEXT NOT NULL,"
     " exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12), exp_year INTEGER NOT NULL,"
     " key_id TEXT NOT NULL, sealed_number BLOB NOT NULL, created_at TEXT NOT NULL);"
     "CREATE INDEX payment_methods_by_user ON payment_methods (user_id, created_at);"
     "CREATE INDEX payment_methods_by_key ON payment_methods (key_id, id);",
     "CREATE TABLE payment_methods ("
     " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, brand TEXT NOT NULL, last4 TEXT NOT NULL,"
     " exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12), exp_year INTEGER NOT NULL,"
     " key_id TEXT NOT NULL, sealed_number BYTEA NOT NULL, created_at TEXT NOT NULL);"
     "CREATE INDEX payment_methods_by_user ON payment_methods (user_id, created_at);"
     "CREATE INDEX payment_methods_by_key ON payment_methods (key_id, id);"},
};

}  // namespace

std::span<const store::Migration> payments_migrations() { return kMigrations; }

}  // namespace orderly::payments
