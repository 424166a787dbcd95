#pragma once

// Running scripts/ha/* from the HA suites: one engine group per suite, in a
// folder the CMake file names (ORDERLY_HA_DIR/<engine>), stopped by the
// suite's TearDownTestSuite and, should the test process die, by the
// ha.cleanup test (FIXTURES_CLEANUP).

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace orderly::ha_testing {

inline std::string engine_dir(const std::string& engine) { return std::string(ORDERLY_HA_DIR) + "/" + engine; }

// Runs `scripts/ha/ENGINE ARGS --dir DIR` and returns its stdout (stderr goes
// to the test's log); throws when it exits non-zero.
inline std::string ha_script(const std::string& engine, const std::string& args) {
  const auto command = std::string(ORDERLY_SOURCE_DIR) + "/scripts/ha/" + engine + " " + args + " --dir " +
                       engine_dir(engine);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string output;
  std::array<char, 4096> buffer{};
  while (const auto read = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), read);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " failed (status " + std::to_string(status) + ")");
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

// NAME=VALUE lines of an env file the script wrote.
inline std::map<std::string, std::string> read_env(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("no env file " + path);
  std::map<std::string, std::string> values;
  for (std::string line; std::getline(file, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

}  // namespace orderly::ha_testing
