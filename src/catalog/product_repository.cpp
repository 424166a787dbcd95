#include "catalog/product_repository.hpp"

#include <algorithm>

#include "catalog/product_rows.hpp"
#include "catalog/search_terms.hpp"
#include "core/ids.hpp"
#include "core/time_format.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
using store::params;
using store::Statement;

#define PRODUCT_COLUMNS \
  "seq, id, sku, name, description, price_amount, price_currency, stock, version, created_at, updated_at"

constexpr Statement kFind{"catalog.product_find", "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = $1"};
// The row a PATCH rewrites, locked against a concurrent PATCH or reservation
// on PostgreSQL (SQLite runs one write transaction at a time).
constexpr Statement kFindForUpdate{"catalog.product_find_for_update",
                                   "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = $1",
                                   "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = $1 FOR UPDATE"};
constexpr Statement kPage{"catalog.product_page",
                          "SELECT " PRODUCT_COLUMNS " FROM products WHERE seq > $1 ORDER BY seq LIMIT $2"};
constexpr Statement kSearch{
    "catalog.product_search",
    "SELECT p.seq AS seq, p.id AS id, p.sku AS sku, p.name AS name, p.description AS description,"
    " p.price_amount AS price_amount, p.price_currency AS price_currency, p.stock AS stock, p.version AS version,"
    " p.created_at AS created_at, p.updated_at AS updated_at"
    " FROM products_fts JOIN products p ON p.seq = products_fts.rowid"
    " WHERE products_fts MATCH $1 AND p.seq > $2 ORDER BY p.seq LIMIT $3",
    "SELECT " PRODUCT_COLUMNS
    " FROM products"
    " WHERE search @@ to_tsquery('simple', $1) AND seq > $2 ORDER BY seq LIMIT $3"};
constexpr Statement kInsert{
    "catalog.product_insert",
    "INSERT INTO products (id, sku, name, description, price_amount, price_currency, stock, version, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING " PRODUCT_COLUMNS};
constexpr Statement kUpdate{
    "catalog.product_update",
    "UPDATE products SET sku = $2, name = $3, description = $4, price_amount = $5, price_currency = $6, stock = $7,"
    " version = version + 1, updated_at = $8 WHERE id = $1 AND version = $9 RETURNING " PRODUCT_COLUMNS};
constexpr Statement kDelete{"catalog.product_delete", "DELETE FROM products WHERE id = $1"};
constexpr Statement kVersionForUpdate{"catalog.product_version_for_update",
                                      "SELECT version FROM products WHERE id = $1",
                                      "SELECT version FROM products WHERE id = $1 FOR UPDATE"};
constexpr Statement kUpsert{
    "catalog.product_upsert",
    "INSERT INTO products (id, sku, name, description, price_amount, price_currency, stock, version, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)"
    " ON CONFLICT (sku) DO UPDATE SET name = excluded.name, description = excluded.description,"
    " price_amount = excluded.price_amount, price_currency = excluded.price_currency, stock = excluded.stock,"
    " version = products.version + 1, updated_at = excluded.updated_at"
    " RETURNING id, version"};

#undef PRODUCT_COLUMNS

constexpr std::size_t kIdBytes = 12;

bool accepts(const AcceptedVersions& accepted, std::int64_t version) {
  return !accepted || std::find(accepted->begin(), accepted->end(), version) != accepted->end();
}

bool is_unique_violation(const store::ConstraintViolation& violation) {
  return violation.kind() == store::ConstraintViolation::Kind::unique;
}

}  // namespace

bool is_plausible_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::string ProductRepository::new_id() {
  return core::random_hex(random_, kIdBytes);
}

asio::awaitable<std::optional<Product>> ProductRepository::find(std::string id, store::ReadOptions options) {
  if (!is_plausible_id(id)) co_return std::nullopt;
  auto find_params = params(id);
  const auto found = co_await store_.query(kFind, std::move(find_params), options);
  if (found.empty()) co_return std::nullopt;
  co_return product_from_row(found.first());
}

asio::awaitable<ProductPage> ProductRepository::page(PageRequest request) {
  ProductPage page;
  // One row more than asked tells whether another page follows.
  const auto fetch = static_cast<std::int64_t>(request.limit) + 1;
  store::Result rows;
  if (request.q) {
    const SearchTerms terms(*request.q);
    if (terms.empty()) co_return page;
    auto query = store_.dialect() == store::Dialect::postgres ? terms.tsquery() : terms.fts5_query();
    auto search_params = params(std::move(query), request.after_seq, fetch);
    rows = co_await store_.query(kSearch, std::move(search_params));
  } else {
    rows = co_await store_.query(kPage, params(request.after_seq, fetch));
  }
  for (const auto& row : rows.rows) {
    if (page.items.size() == request.limit) {
      page.next_after_seq = seq_of_row(rows.rows[request.limit - 1]);
      break;
    }
    page.items.push_back(product_from_row(row));
  }
  co_return page;
}

asio::awaitable<Product> ProductRepository::create(ProductDraft draft) {
  const auto now = core::format_rfc3339(clock_.now());
  auto insert_params = params(new_id(), draft.sku, draft.name, draft.description, draft.price.amount,
                              draft.price.currency, draft.stock, now);
  store::Result inserted;
  try {
    inserted = co_await store_.execute(kInsert, std::move(insert_params));
  } catch (const store::ConstraintViolation& violation) {
    if (!is_unique_violation(violation)) throw;
    throw SkuTaken();
  }
  co_return product_from_row(inserted.first());
}

asio::awaitable<Product> ProductRepository::update(std::string id, ProductPatch patch, AcceptedVersions accepted,
                                                   store::CommitToken* commit, AlsoInTransaction also) {
  if (!is_plausible_id(id)) throw ProductNotFound();
  const auto now = core::format_rfc3339(clock_.now());
  Product updated;
  try {
    auto token = co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
      const auto found = co_await tx.execute(kFindForUpdate, params(id));
      if (found.empty()) throw ProductNotFound();
      auto product = product_from_row(found.first());
      if (!accepts(accepted, product.version)) throw VersionMismatch(product.version);
      const auto read_version = product.version;
      patch.apply_to(product);
      auto update_params = params(id, product.sku, product.name, product.description, product.price.amount,
                                  product.price.currency, product.stock, now, read_version);
      const auto written = co_await tx.execute(kUpdate, std::move(update_params));
      // The row is locked (or the only writer is us): it cannot have moved.
      updated = product_from_row(written.first());
      if (also) co_await also(tx);
    });
    if (commit != nullptr) *commit = std::move(token);
  } catch (const store::ConstraintViolation& violation) {
    if (!is_unique_violation(violation)) throw;
    throw SkuTaken();
  }
  co_return updated;
}

asio::awaitable<void> ProductRepository::remove(std::string id, AcceptedVersions accepted, AlsoInTransaction also) {
  if (!is_plausible_id(id)) throw ProductNotFound();
  if (!accepted && !also) {
    const auto deleted = co_await store_.execute(kDelete, params(id));
    if (deleted.affected_rows == 0) throw ProductNotFound();
    co_return;
  }
  co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    const auto current = co_await tx.execute(kVersionForUpdate, params(id));
    if (current.empty()) throw ProductNotFound();
    const auto version = current.first().int64("version");
    if (!accepts(accepted, version)) throw VersionMismatch(version);
    co_await tx.execute(kDelete, params(id));
    if (also) co_await also(tx);
  });
}

asio::awaitable<UpsertResult> ProductRepository::upsert(store::Transaction& tx, ProductDraft draft) {
  auto upsert_params = params(new_id(), draft.sku, draft.name, draft.description, draft.price.amount,
                              draft.price.currency, draft.stock, core::format_rfc3339(clock_.now()));
  const auto written = co_await tx.execute(kUpsert, std::move(upsert_params));
  const auto& row = written.first();
  co_return UpsertResult{row.text("id"), row.int64("version") == 1};
}

}  // namespace orderly::catalog
