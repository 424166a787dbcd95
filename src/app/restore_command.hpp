#pragma once

#include <string>

#include "core/config.hpp"

namespace orderly::app {

// `orderly restore --from DIR [--force]`: puts a backup made by `orderly
// backup` back as the configured data folder. Before touching anything it
// checks every file against the manifest, refuses a schema newer than this
// binary knows, refuses a data folder whose database a process has open, and
// refuses a data folder that is not empty unless `force`. Afterwards it
// checks the restored files' digests, the database's integrity and its
// schema version. Exit 0 done, 1 refused or failed, 2 not applicable.
int restore_data_folder(const core::Config& config, const std::string& from, bool force);

}  // namespace orderly::app
