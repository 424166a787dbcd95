#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "store/store.hpp"

// The payment_methods table: the only code that knows its SQL.
namespace orderly::payments {

struct CardRecord {
  std::string id;
  std::string user_id;
  std::string brand;
  std::string last4;
  int exp_month = 0;
  int exp_year = 0;
  std::string key_id;
  std::string sealed_number;  // nonce || ciphertext || tag
  std::string created_at;     // RFC 3339 UTC
};

boost::asio::awaitable<void> insert_card(store::Store& store, CardRecord record);

// The user's cards, oldest first, at most `limit`.
boost::asio::awaitable<std::vector<CardRecord>> cards_of_user(store::Store& store, std::string user_id,
                                                              std::int64_t limit);

// The card `id` if it belongs to `user_id`. Read from the primary: the
// checkout may reveal a card right after it was saved.
boost::asio::awaitable<std::optional<CardRecord>> find_card(store::Store& store, std::string user_id, std::string id);

// Up to `limit` cards not sealed under `key_id`, with ids after `after`, in
// id order: rotation pages through them.
boost::asio::awaitable<std::vector<CardRecord>> cards_not_under_key(store::Store& store, std::string key_id,
                                                                    std::string after, std::int64_t limit);

// Replaces a card's ciphertext, only if it is still sealed under
// `expected_key_id` (a concurrent rotation may have done it); true when it did.
boost::asio::awaitable<bool> reseal_card(store::Transaction& tx, std::string id, std::string expected_key_id,
                                         std::string new_key_id, std::string sealed_number);

// How many cards each key seals: (key id, count) pairs.
boost::asio::awaitable<std::vector<std::pair<std::string, std::int64_t>>> cards_per_key(store::Store& store);

}  // namespace orderly::payments
