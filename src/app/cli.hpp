#pragma once

namespace orderly::app {

// The `orderly` command line: parses argv, loads the configuration and runs
// the chosen mode. Returns the process exit code: 0 on success, 2 for a usage
// or configuration error (with one line on stderr), 1 for a failure at run time.
int run_cli(int argc, char** argv);

}  // namespace orderly::app
