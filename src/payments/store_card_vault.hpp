#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "payments/card_vault.hpp"
#include "payments/new_card.hpp"
#include "payments/vault_keys.hpp"
#include "store/store.hpp"

namespace orderly::payments {

// A saved card as its owner may see it: never the number.
struct SavedCard {
  std::string id;
  std::string brand;
  std::string last4;
  int exp_month = 0;
  int exp_year = 0;
  std::string created_at;
};

// A user who already holds StoreCardVault::kMostCardsSaved cards.
class TooManyCards : public std::runtime_error {
 public:
  TooManyCards() : std::runtime_error("too many saved cards") {}
};

// The card vault on the Store: numbers sealed under the key ring's current
// key (card_cipher.hpp), metadata (brand, last4, expiry) in clear.
// Thread-safe; every call is one statement.
class StoreCardVault final : public CardVault {
 public:
  // The vault must not outlive `store`, `clock` or `random`.
  StoreCardVault(store::Store& store, std::shared_ptr<VaultKeys> keys, const core::Clock& clock,
                 core::Random& random);

  // A wallet, not a store: well under what one list answer shows, so the
  // list (which has no cursor) always holds every card.
  static constexpr std::int64_t kMostCardsSaved = 20;

  // Saves `card` (already checked by parse_new_card) for `user_id`. The CVC
  // is dropped here: it is never stored. Throws TooManyCards when the user
  // holds kMostCardsSaved already (two saves at once may pass it by one).
  boost::asio::awaitable<SavedCard> save(std::string user_id, NewCard card);

  // The user's cards, oldest first (cards saved in the same millisecond
  // come in id order).
  boost::asio::awaitable<std::vector<SavedCard>> list(std::string user_id);

  // Throws CardUnreadable when the card exists but cannot be decrypted.
  boost::asio::awaitable<std::optional<CardDetails>> reveal(std::string user_id,
                                                            std::string payment_method_id) override;

 private:
  store::Store& store_;
  std::shared_ptr<VaultKeys> keys_;
  const core::Clock& clock_;
  core::Random& random_;
};

}  // namespace orderly::payments
