#include "catalog/schema.hpp"

namespace orderly::catalog {
namespace {

constexpr store::Migration kMigrations[] = {
    {200, "catalog_products",
     // `seq` is the paging key (immutable, increasing: AUTOINCREMENT never
     // reuses a deleted row's number) and the FTS rowid; `id` is what clients
     // see. A deleted product is a deleted row. The FTS triggers fire only
     // when name or description change, so stock updates (every reservation)
     // never touch the index.
     "CREATE TABLE products ("
     " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
     " id TEXT NOT NULL UNIQUE,"
     " sku TEXT NOT NULL UNIQUE,"
     " name TEXT NOT NULL,"
     " description TEXT NOT NULL DEFAULT '',"
     " price_amount INTEGER NOT NULL CHECK (price_amount >= 0),"
     " price_currency TEXT NOT NULL CHECK (price_currency GLOB '[A-Z][A-Z][A-Z]'),"
     " stock INTEGER NOT NULL CHECK (stock >= 0),"
     " version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL);"
     "CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content='products', content_rowid='seq');"
     "CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN"
     " INSERT INTO products_fts (rowid, name, description) VALUES (new.seq, new.name, new.description);"
     " END;"
     "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN"
     " INSERT INTO products_fts (products_fts, rowid, name, description)"
     " VALUES ('delete', old.seq, old.name, old.description);"
     " END;"
     "CREATE TRIGGER products_fts_update AFTER UPDATE OF name, description ON products BEGIN"
     " INSERT INTO products_fts (products_fts, rowid, name, description)"
     " VALUES ('delete', old.seq, old.name, old.description);"
     " INSERT INTO products_fts (rowid, name, description) VALUES (new.seq, new.name, new.description);"
     " END;"
     "CREATE TABLE catalog_seed (id INTEGER PRIMARY KEY CHECK (id = 1), seeded_at TEXT NOT NULL);",
     // The 'simple' configuration (no stemming, no stop words) matches
     // SQLite's unicode61 tokenizer, so a query finds the same rows on both.
     "CREATE TABLE products ("
     " seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
     " id TEXT NOT NULL UNIQUE,"
     " sku TEXT NOT NULL UNIQUE,"
     " name TEXT NOT NULL,"
     " description TEXT NOT NULL DEFAULT '',"
     " price_amount BIGINT NOT NULL CHECK (price_amount >= 0),"
     " price_currency TEXT NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),"
     " stock BIGINT NOT NULL CHECK (stock >= 0),"
     " version BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL,"
     " search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name || ' ' || description)) STORED);"
     "CREATE INDEX products_search ON products USING GIN (search);"
     "CREATE TABLE catalog_seed (id INTEGER PRIMARY KEY CHECK (id = 1), seeded_at TEXT NOT NULL);"},
    {201, "catalog_import_jobs",
     // One row per CSV import. `processed` and `failed` advance in the same
     // transaction as each batch of products, so a redelivered job resumes
     // after the last committed batch. The CSV is dropped once the job ends.
     "CREATE TABLE import_jobs ("
     " id TEXT PRIMARY KEY,"
     " status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),"
     " total INTEGER NOT NULL DEFAULT 0,"
     " processed INTEGER NOT NULL DEFAULT 0,"
     " failed INTEGER NOT NULL DEFAULT 0,"
     " errors TEXT NOT NULL DEFAULT '[]',"
     " csv BLOB NOT NULL,"
     " created_by TEXT NOT NULL,"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL,"
     " finished_at TEXT);",
     "CREATE TABLE import_jobs ("
     " id TEXT PRIMARY KEY,"
     " status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),"
     " total BIGINT NOT NULL DEFAULT 0,"
     " processed BIGINT NOT NULL DEFAULT 0,"
     " failed BIGINT NOT NULL DEFAULT 0,"
     " errors TEXT NOT NULL DEFAULT '[]',"
     " csv BYTEA NOT NULL,"
     " created_by TEXT NOT NULL,"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL,"
     " finished_at TEXT);"},
    {202, "catalog_stock_reservations",
     // Stock held for an order, by order id (StockReservations). A row is
     // never deleted: a released one stays as the answer to a late repeat of
     // its reserve. The lines keep what was taken, priced at reservation
     // time, so a release gives back exactly that. The partial index serves
     // the expiry sweep, which only looks at unconfirmed reservations.
     "CREATE TABLE stock_reservations ("
     " order_id TEXT PRIMARY KEY,"
     " status TEXT NOT NULL CHECK (status IN ('reserved', 'confirmed', 'released')),"
     " expires_at_ms INTEGER NOT NULL,"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL);"
     "CREATE INDEX stock_reservations_due ON stock_reservations (expires_at_ms) WHERE status = 'reserved';"
     "CREATE TABLE stock_reservation_lines ("
     " order_id TEXT NOT NULL REFERENCES stock_reservations (order_id),"
     " position INTEGER NOT NULL,"
     " product_id TEXT NOT NULL,"
     " sku TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " price_amount INTEGER NOT NULL,"
     " price_currency TEXT NOT NULL,"
     " quantity INTEGER NOT NULL CHECK (quantity > 0),"
     " PRIMARY KEY (order_id, position));",
     "CREATE TABLE stock_reservations ("
     " order_id TEXT PRIMARY KEY,"
     " status TEXT NOT NULL CHECK (status IN ('reserved', 'confirmed', 'released')),"
     " expires_at_ms BIGINT NOT NULL,"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL);"
     "CREATE INDEX stock_reservations_due ON stock_reservations (expires_at_ms) WHERE status = 'reserved';"
     "CREATE TABLE stock_reservation_lines ("
     " order_id TEXT NOT NULL REFERENCES stock_reservations (order_id),"
     " position INTEGER NOT NULL,"
     " product_id TEXT NOT NULL,"
     " sku TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " price_amount BIGINT NOT NULL,"
     " price_currency TEXT NOT NULL,"
     " quantity BIGINT NOT NULL CHECK (quantity > 0),"
     " PRIMARY KEY (order_id, position));"},
};

}  // namespace

std::span<const store::Migration> catalog_migrations() {
  return kMigrations;
}

}  // namespace orderly::catalog
