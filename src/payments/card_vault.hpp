#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace orderly::payments {

// A card's details in clear, only for the moment the payment provider needs
// them. Never log it, never put it in an error, never store it unencrypted.
struct CardDetails {
  std::string number;
  int exp_month = 0;
  int exp_year = 0;
};

// A stored card that cannot be decrypted: its key is gone from the ring or
// its row was altered. An integrity failure the vault logs; the checkout
// treats the card as unusable (a 422 at placement, a decline in the saga).
class CardUnreadable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The card vault as the checkout sees it. Thread-safe.
class CardVault {
 public:
  virtual ~CardVault() = default;
  // The card `payment_method_id` of `user_id`, decrypted; nullopt when it does
  // not exist or belongs to someone else. Throws CardUnreadable.
  virtual boost::asio::awaitable<std::optional<CardDetails>> reveal(std::string user_id,
                                                                    std::string payment_method_id) = 0;
};

}  // namespace orderly::payments
