#include "payments/vault_keys.hpp"

#include "core/logging.hpp"
#include "payments/vault_key_file.hpp"

namespace orderly::payments {

VaultKeys::VaultKeys(VaultKeyRing ring, Reload reload, const core::Clock& clock, std::chrono::milliseconds recheck)
    : reload_(std::move(reload)),
      clock_(clock),
      recheck_(recheck),
      ring_(std::make_shared<const VaultKeyRing>(std::move(ring))),
      checked_at_(clock.monotonic()) {}

std::shared_ptr<const VaultKeyRing> VaultKeys::ring() {
  const std::lock_guard lock(mutex_);
  if (reload_ && clock_.monotonic() - checked_at_ >= recheck_) return reload_locked();
  return ring_;
}

std::shared_ptr<const VaultKeyRing> VaultKeys::refresh() {
  const std::lock_guard lock(mutex_);
  if (reload_) return reload_locked();
  return ring_;
}

std::shared_ptr<const VaultKeyRing> VaultKeys::reload_locked() {
  // A small local file, read at most once per `recheck` (or after a
  // rotation): cheap enough to do under the lock, on the caller's thread.
  checked_at_ = clock_.monotonic();
  try {
    if (auto fresh = reload_()) {
      ring_ = std::make_shared<const VaultKeyRing>(std::move(*fresh));
      core::log::info("vault.keys_reloaded", {{"current_key", ring_->current().id}, {"keys", ring_->ids().size()}});
    }
  } catch (const VaultKeyError& error) {
    // Keep sealing and opening with the ring we have; the message names the
    // file and the problem, never key material.
    core::log::error("vault.keys_reload_failed", {{"reason", error.what()}});
  }
  return ring_;
}

VaultKeys::Reload key_file_reload(std::filesystem::path path) {
  auto stamp = std::make_shared<std::string>(key_file_stamp(path));
  return [path = std::move(path), stamp]() -> std::optional<VaultKeyRing> {
    auto now = key_file_stamp(path);
    if (now == *stamp) return std::nullopt;
    auto ring = read_key_file(path);
    *stamp = std::move(now);
    return ring;
  };
}

}  // namespace orderly::payments
