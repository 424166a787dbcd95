#include "app/backup_contents.hpp"

#include "app/store_setup.hpp"

namespace orderly::app {
namespace {

std::filesystem::path configured_or(const std::string& configured, std::filesystem::path fallback) {
  return configured.empty() ? fallback : std::filesystem::path(configured);
}

}  // namespace

std::vector<DataFile> data_folder_files(const core::Config& config) {
  const std::filesystem::path data = config.data_dir;
  std::vector<DataFile> files{
      {"database", "orderly.db", sqlite_path(config), DataFile::Kind::database},
      {"auth_key", "auth.key", configured_or(config.auth.key_file, data / "auth.key"), DataFile::Kind::secret},
      {"vault_keys", "vault.keys", configured_or(config.payments.vault_key_file, data / "vault.keys"),
       DataFile::Kind::secret},
  };
  // "off": the simulator keeps its answers in memory, nothing to copy.
  if (config.payments.simulator_journal != "off") {
    files.push_back({"provider_journal", "provider-ledger.jsonl",
                     configured_or(config.payments.simulator_journal, data / "provider-sim" / "ledger.jsonl"),
                     DataFile::Kind::journal});
  }
  return files;
}

}  // namespace orderly::app
