#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace orderly::app {

// One file of the embedded mode that a restore needs, and where the
// configuration puts it. Mails (maildir) are not among them: they were sent.
struct DataFile {
  enum class Kind {
    database,  // copied by SQLite's online backup API
    secret,    // a small key file, copied whole
    journal,   // an append-only journal: its complete lines only
  };
  std::string role;  // database, auth_key, vault_keys, provider_journal
  std::string name;  // its name inside a backup folder
  std::filesystem::path path;
  Kind kind;
};

// Every such file for `config`, the database first: the keys and the
// provider's journal are copied after it, so they cover every row the copy
// holds (a journal may then hold a few answers more, which is harmless).
// The paths follow the same defaults as the modules that own the files
// (store_setup, auth_wiring, payments_wiring).
[[nodiscard]] std::vector<DataFile> data_folder_files(const core::Config& config);

}  // namespace orderly::app
