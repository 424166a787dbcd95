#include "payments/card_records.hpp"

namespace orderly::payments {
namespace {

using store::params;
using store::Statement;

#define CARD_COLUMNS "id, user_id, brand, last4, exp_month, exp_year, key_id, sealed_number, created_at"

constexpr Statement kInsert{
    "payments.insert_card",
    "INSERT INTO payment_methods (" CARD_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
constexpr Statement kOfUser{"payments.cards_of_user",
                            "SELECT " CARD_COLUMNS
                            " FROM payment_methods WHERE user_id = $1 ORDER BY created_at, id LIMIT $2"};
constexpr Statement kFind{"payments.find_card",
                          "SELECT " CARD_COLUMNS " FROM payment_methods WHERE id = $1 AND user_id = $2"};
constexpr Statement kNotUnderKey{"payments.cards_not_under_key",
                                 "SELECT " CARD_COLUMNS
                                 " FROM payment_methods WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3"};
constexpr Statement kReseal{
    "payments.reseal_card",
    "UPDATE payment_methods SET key_id = $3, sealed_number = $4 WHERE id = $1 AND key_id = $2"};
constexpr Statement kPerKey{"payments.cards_per_key",
                            "SELECT key_id, COUNT(*) AS cards FROM payment_methods GROUP BY key_id ORDER BY key_id"};

#undef CARD_COLUMNS

CardRecord to_record(const store::Row& row) {
  return CardRecord{row.text("id"),
                    row.text("user_id"),
                    row.text("brand"),
                    row.text("last4"),
                    static_cast<int>(row.int64("exp_month")),
                    static_cast<int>(row.int64("exp_year")),
                    row.text("key_id"),
                    row.blob("sealed_number").bytes,
                    row.text("created_at")};
}

std::vector<CardRecord> to_records(const store::Result& result) {
  std::vector<CardRecord> records;
  records.reserve(result.rows.size());
  for (const auto& row : result.rows) records.push_back(to_record(row));
  return records;
}

}  // namespace

boost::asio::awaitable<void> insert_card(store::Store& store, CardRecord record) {
  auto values = params(record.id, record.user_id, record.brand, record.last4, record.exp_month, record.exp_year,
                       record.key_id, store::Blob{record.sealed_number}, record.created_at);
  co_await store.execute(kInsert, std::move(values));
}

boost::asio::awaitable<std::vector<CardRecord>> cards_of_user(store::Store& store, std::string user_id,
                                                              std::int64_t limit) {
  const auto result = co_await store.query(kOfUser, params(user_id, limit), store::ReadOptions{false});
  co_return to_records(result);
}

boost::asio::awaitable<std::optional<CardRecord>> find_card(store::Store& store, std::string user_id, std::string id) {
  const auto result = co_await store.query(kFind, params(id, user_id), store::ReadOptions{false});
  if (result.empty()) co_return std::nullopt;
  co_return to_record(result.first());
}

boost::asio::awaitable<std::vector<CardRecord>> cards_not_under_key(store::Store& store, std::string key_id,
                                                                    std::string after, std::int64_t limit) {
  const auto result = co_await store.query(kNotUnderKey, params(key_id, after, limit), store::ReadOptions{false});
  co_return to_records(result);
}

boost::asio::awaitable<bool> reseal_card(store::Transaction& tx, std::string id, std::string expected_key_id,
                                         std::string new_key_id, std::string sealed_number) {
  auto values = params(id, expected_key_id, new_key_id, store::Blob{std::move(sealed_number)});
  const auto result = co_await tx.execute(kReseal, std::move(values));
  co_return result.affected_rows == 1;
}

boost::asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> cards_per_key(store::Store& store) {
  const auto result = co_await store.query(kPerKey, {}, store::ReadOptions{false});
  std::vector<std::pair<std::string, std::int64_t>> counts;
  for (const auto& row : result.rows) counts.emplace_back(row.text("key_id"), row.int64("cards"));
  co_return counts;
}

}  // namespace orderly::payments
