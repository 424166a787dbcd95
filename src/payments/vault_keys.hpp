#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "core/clock.hpp"
#include "payments/vault_key_ring.hpp"

namespace orderly::payments {

// The key ring a running vault uses. When the ring comes from a file, it is
// read again when the file changed (looked at no more often than `recheck`,
// and at once when a card names a key this process has not seen), so a
// server picks up `orderly vault rotate` without a restart. Thread-safe;
// readers get an immutable snapshot.
class VaultKeys {
 public:
  // Returns the source's ring when it changed since the last call, nullopt
  // when it did not; throws VaultKeyError when it cannot be read.
  using Reload = std::function<std::optional<VaultKeyRing>()>;

  // `reload` empty: the ring never changes (ORDERLY_VAULT_KEYS).
  VaultKeys(VaultKeyRing ring, Reload reload, const core::Clock& clock, std::chrono::milliseconds recheck);

  // The ring, rechecking its source when `recheck` has passed.
  [[nodiscard]] std::shared_ptr<const VaultKeyRing> ring();
  // Rechecks the source now (a card names an unknown key).
  [[nodiscard]] std::shared_ptr<const VaultKeyRing> refresh();

 private:
  std::shared_ptr<const VaultKeyRing> reload_locked();

  Reload reload_;
  const core::Clock& clock_;
  std::chrono::milliseconds recheck_;
  std::mutex mutex_;
  std::shared_ptr<const VaultKeyRing> ring_;
  std::chrono::steady_clock::time_point checked_at_;
};

// A Reload for a key file: re-reads it when its modification stamp changed.
[[nodiscard]] VaultKeys::Reload key_file_reload(std::filesystem::path path);

}  // namespace orderly::payments
