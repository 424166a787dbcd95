#include "payments/vault_rotation.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "payments/card_cipher.hpp"
#include "payments/card_records.hpp"
#include "payments/vault_key_file.hpp"

namespace orderly::payments {
namespace {

struct Resealed {
  std::string id;
  std::string old_key_id;
  std::string sealed_number;
};

// Opens `card` with its own key and seals it under `current`; false when it cannot be opened.
bool reseal_in_memory(const VaultKeyRing& ring, const CardRecord& card, Resealed& out) {
  const auto* old_key = ring.find(card.key_id);
  if (old_key == nullptr) return false;
  const auto associated = card_associated_data(card.id, card.user_id);
  auto number = open_card_number(*old_key, card.sealed_number, associated);
  if (!number) return false;
  out = Resealed{card.id, card.key_id, seal_card_number(ring.current(), *number, associated)};
  std::fill(number->begin(), number->end(), '\0');
  return true;
}

std::int64_t cards_to_move(const std::vector<std::pair<std::string, std::int64_t>>& counts,
                           const std::string& current) {
  std::int64_t total = 0;
  for (const auto& [key_id, cards] : counts) {
    if (key_id != current) total += cards;
  }
  return total;
}

}  // namespace

boost::asio::awaitable<RotationReport> reseal_cards(store::Store& store, const VaultKeyRing& ring,
                                                    std::size_t batch_size, RotationProgress progress) {
  RotationReport report;
  report.current_key = ring.current().id;
  const auto before = co_await cards_per_key(store);
  const auto total = cards_to_move(before, report.current_key);
  std::string after;  // ids are visited once each, in order, so unreadable cards do not stall the loop
  for (;;) {          // ends when a page comes back empty
    const auto page =
        co_await cards_not_under_key(store, report.current_key, after, static_cast<std::int64_t>(batch_size));
    if (page.empty()) break;
    after = page.back().id;
    std::vector<Resealed> batch;
    batch.reserve(page.size());
    for (const auto& card : page) {
      Resealed resealed;
      if (reseal_in_memory(ring, card, resealed)) {
        batch.push_back(std::move(resealed));
      } else {
        ++report.unreadable;
        core::log::error("vault.card_unreadable", {{"payment_method_id", card.id}, {"key_id", card.key_id}});
      }
    }
    std::int64_t moved = 0;
    store::Store::Body body = [&](store::Transaction& tx) -> boost::asio::awaitable<void> {
      moved = 0;  // the body may run again after a serialization failure
      for (const auto& card : batch) {
        const bool done = co_await reseal_card(tx, card.id, card.old_key_id, report.current_key, card.sealed_number);
        if (done) ++moved;
      }
    };
    co_await store.transaction(std::move(body));
    report.resealed += moved;
    if (progress) progress(report.resealed + report.unreadable, total);
  }
  report.cards_per_key = co_await cards_per_key(store);
  co_return report;
}

boost::asio::awaitable<RotationReport> rotate_key_file(store::Store& store, std::filesystem::path key_file,
                                                       std::size_t batch_size, std::chrono::milliseconds settle,
                                                       RotationProgress progress) {
  auto ring = read_key_file(key_file);
  const auto new_key_id = ring.add_new_key().id;
  write_key_file(key_file, ring);  // before any card is sealed under the new key
  core::log::info("vault.key_added", {{"key_id", new_key_id}, {"settle_ms", settle.count()}});
  if (settle.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, settle);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }

  auto report = co_await reseal_cards(store, ring, batch_size, std::move(progress));
  const auto in_use = [&](const std::string& id) {
    return std::any_of(report.cards_per_key.begin(), report.cards_per_key.end(),
                       [&](const auto& entry) { return entry.first == id && entry.second > 0; });
  };
  for (const auto& id : ring.ids()) {
    if (id != new_key_id && !in_use(id)) report.removed_keys.push_back(id);
  }
  if (!report.removed_keys.empty()) {
    for (const auto& id : report.removed_keys) ring.remove(id);
    write_key_file(key_file, ring);
  }
  core::log::info("vault.rotated", {{"key_id", new_key_id},
                                    {"resealed", report.resealed},
                                    {"unreadable", report.unreadable},
                                    {"keys_removed", report.removed_keys.size()}});
  co_return report;
}

}  // namespace orderly::payments
