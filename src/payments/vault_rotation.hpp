#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "payments/vault_key_ring.hpp"
#include "store/store.hpp"

// Key rotation for the card vault (`orderly vault rotate`).
namespace orderly::payments {

struct RotationReport {
  std::string current_key;
  std::int64_t resealed = 0;    // cards moved to the current key by this run
  std::int64_t unreadable = 0;  // cards whose key is missing or whose row was altered; left as they were
  std::vector<std::string> removed_keys;  // dropped from the ring: no card uses them any more
  std::vector<std::pair<std::string, std::int64_t>> cards_per_key;  // afterwards
};

// Called after each batch with the cards handled so far and the total to do.
using RotationProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Re-encrypts every card not sealed under `ring.current()`, `batch_size`
// cards per transaction. A card a concurrent writer already moved is left
// alone; a card that cannot be opened is counted as unreadable and kept.
// Fills every field of the report except removed_keys.
boost::asio::awaitable<RotationReport> reseal_cards(store::Store& store, const VaultKeyRing& ring,
                                                    std::size_t batch_size, RotationProgress progress);

// The rotation of a key file: adds a new key and makes it current (the file
// is written before any card uses the key), waits `settle` so running
// servers (which recheck the file every payments.vault_key_recheck) seal new
// cards under it, re-encrypts every card under it, then removes from the
// file the old keys no card uses any more. Safe to run again after a crash
// at any point: a key is removed only once no row names it. Throws
// VaultKeyError when the file cannot be read or written.
boost::asio::awaitable<RotationReport> rotate_key_file(store::Store& store, std::filesystem::path key_file,
                                                       std::size_t batch_size, std::chrono::milliseconds settle,
                                                       RotationProgress progress);

}  // namespace orderly::payments
