#pragma once

#include <filesystem>
#include <string>

#include "payments/vault_key_ring.hpp"

// The key ring kept in a file outside the database. The file must be
// private to its owner: one that group or others can read or write is
// refused, since anyone reading it could decrypt every stored card.
namespace orderly::payments {

// Reads the ring. Throws VaultKeyError when the file is missing, unreadable,
// accessible to group or others, or malformed.
[[nodiscard]] VaultKeyRing read_key_file(const std::filesystem::path& path);

// Reads the ring, or, when the file does not exist yet, creates it (mode
// 0600, exclusive create, so two processes starting at once agree on one
// ring) with one fresh key. Embedded mode's first start.
[[nodiscard]] VaultKeyRing read_or_create_key_file(const std::filesystem::path& path);

// Replaces the file's content atomically (a private temporary file beside it,
// fsync, rename, fsync of the folder): a crash leaves the old ring or the new
// one, never half of one.
void write_key_file(const std::filesystem::path& path, const VaultKeyRing& ring);

// The file's modification time as an opaque stamp, to notice a rotation;
// empty when the file cannot be examined.
[[nodiscard]] std::string key_file_stamp(const std::filesystem::path& path);

}  // namespace orderly::payments
