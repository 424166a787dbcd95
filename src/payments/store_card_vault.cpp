#include "payments/store_card_vault.hpp"

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time_format.hpp"
#include "payments/card_cipher.hpp"
#include "payments/card_number.hpp"
#include "payments/card_records.hpp"

namespace orderly::payments {
namespace {

constexpr std::int64_t kMostCardsListed = 100;

SavedCard to_saved(const CardRecord& record) {
  return SavedCard{record.id, record.brand, record.last4, record.exp_month, record.exp_year, record.created_at};
}

}  // namespace

StoreCardVault::StoreCardVault(store::Store& store, std::shared_ptr<VaultKeys> keys, const core::Clock& clock,
                               core::Random& random)
    : store_(store), keys_(std::move(keys)), clock_(clock), random_(random) {}

boost::asio::awaitable<SavedCard> StoreCardVault::save(std::string user_id, NewCard card) {
  const auto held = co_await cards_of_user(store_, user_id, kMostCardsSaved);
  if (static_cast<std::int64_t>(held.size()) >= kMostCardsSaved) throw TooManyCards();
  const auto ring = keys_->ring();
  const auto& key = ring->current();
  CardRecord record;
  record.id = "pm_" + core::random_hex(random_, 12);
  record.user_id = std::move(user_id);
  record.brand = std::string(brand_name(card_brand(card.number)));
  record.last4 = last_four(card.number);
  record.exp_month = card.exp_month;
  record.exp_year = card.exp_year;
  record.key_id = key.id;
  record.sealed_number = seal_card_number(key, card.number, card_associated_data(record.id, record.user_id));
  record.created_at = core::format_rfc3339(clock_.now());
  auto saved = to_saved(record);
  co_await insert_card(store_, record);
  core::log::info("vault.card_saved", {{"payment_method_id", saved.id}, {"brand", saved.brand}, {"key_id", key.id}});
  co_return saved;
}

boost::asio::awaitable<std::vector<SavedCard>> StoreCardVault::list(std::string user_id) {
  const auto records = co_await cards_of_user(store_, std::move(user_id), kMostCardsListed);
  std::vector<SavedCard> cards;
  cards.reserve(records.size());
  for (const auto& record : records) cards.push_back(to_saved(record));
  co_return cards;
}

boost::asio::awaitable<std::optional<CardDetails>> StoreCardVault::reveal(std::string user_id,
                                                                          std::string payment_method_id) {
  const auto record = co_await find_card(store_, std::move(user_id), std::move(payment_method_id));
  if (!record) co_return std::nullopt;
  auto ring = keys_->ring();
  if (ring->find(record->key_id) == nullptr) ring = keys_->refresh();  // rotated since we last looked
  const auto* key = ring->find(record->key_id);
  auto number = key == nullptr ? std::nullopt
                               : open_card_number(*key, record->sealed_number,
                                                  card_associated_data(record->id, record->user_id));
  if (!number) {
    core::log::error("vault.card_unreadable", {{"payment_method_id", record->id},
                                               {"key_id", record->key_id},
                                               {"reason", key == nullptr ? "unknown key" : "authentication failed"}});
    throw CardUnreadable("card " + record->id + " cannot be decrypted");
  }
  CardDetails details{std::move(*number), record->exp_month, record->exp_year};
  co_return details;
}

}  // namespace orderly::payments
