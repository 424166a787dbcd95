#pragma once

#include <string>

#include "core/config.hpp"

namespace orderly::app {

// `orderly backup --to DIR`: copies the embedded mode's data folder into the
// new (or empty) folder DIR, 0700: the database through SQLite's online
// backup API (a consistent snapshot, safe while `orderly serve` runs on the
// same folder), then the key files and the provider's journal, each 0600,
// then manifest.json with each file's size and SHA-256 and the schema
// version. The copy passes PRAGMA integrity_check before the manifest is
// written. Exit 0 done, 1 failed, 2 not applicable (PostgreSQL: pgBackRest).
int backup_data_folder(const core::Config& config, const std::string& to);

}  // namespace orderly::app
