// The configuration loader: core::load_config_text (defaults, then the YAML
// file's text, then ORDERLY_* variables, then `--set` flags, as `orderly
// serve` builds its configuration), core::environment_overrides,
// core::parse_set_flag, and the value parsers of config_values.
// Input: YAML text, then after a NUL byte environment entries (NAME=value a
// line), then after another NUL `--set` arguments (KEY=VALUE a line).
// Properties: only ConfigError escapes the loader (std::invalid_argument the
// value parsers); a variable maps to the key whose environment_name it is;
// durations and sizes round-trip through their printers; and the render/load
// round trip: what was loaded, rendered as `config --print-defaults` renders
// it, loads again without error and renders to the same text.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/config_values.hpp"
#include "property.hpp"

namespace {

using namespace orderly;
namespace values = core::config_values;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < 64) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// A value as a duration and as a size: what the parser accepts, its printer
// prints to text the parser reads back to the same value.
void check_values(std::string_view text) {
  try {
    const auto duration = values::parse_duration(text);
    FUZZ_PROPERTY(duration.count() >= 0);
    FUZZ_PROPERTY(values::parse_duration(values::format_duration(duration)) == duration);
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto size = values::parse_size(text);
    FUZZ_PROPERTY(values::parse_size(values::format_size(size)) == size);
  } catch (const std::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\0');
  const auto yaml = input.substr(0, first);
  const auto rest = first == std::string_view::npos ? std::string_view() : input.substr(first + 1);
  const auto second = rest.find('\0');
  const auto environment_text = rest.substr(0, second);
  const auto flag_text = second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);

  // The environment as `environ` holds it: NUL-terminated entries, then null.
  std::vector<std::string> entries;
  for (const auto line : lines_of(environment_text)) {
    entries.emplace_back(line);
    check_values(line.substr(line.find('=') == std::string_view::npos ? line.size() : line.find('=') + 1));
  }
  std::vector<char*> environ_array;
  for (auto& entry : entries) environ_array.push_back(entry.data());
  environ_array.push_back(nullptr);
  const auto environment = core::environment_overrides(environ_array.data());
  for (const auto& entry : environment.overrides) {
    const auto name = core::environment_name(entry.key);
    FUZZ_PROPERTY(entry.source == "environment " + name);
  }

  std::vector<core::ConfigOverride> flags;
  for (const auto line : lines_of(flag_text)) {
    try {
      auto flag = core::parse_set_flag(line);
      FUZZ_PROPERTY(!flag.key.empty() && flag.key.size() + 1 + flag.value.size() == line.size());
      check_values(flag.value);
      flags.push_back(std::move(flag));
    } catch (const core::ConfigError&) {
      FUZZ_PROPERTY(line.find('=') == std::string_view::npos || line.front() == '=');
    }
  }

  core::Config config;
  try {
    config = core::load_config_text(yaml, "fuzz.yaml", environment.overrides, flags);
  } catch (const core::ConfigError&) {
    return 0;
  }
  const auto rendered = core::render_config(config);
  std::string again;
  try {
    again = core::render_config(core::load_config_text(rendered, "rendered.yaml", {}, {}));
  } catch (const core::ConfigError& error) {
    std::fprintf(stderr, "the rendered configuration does not load: %s\n", error.what());
    FUZZ_PROPERTY(false);
  }
  FUZZ_PROPERTY(again == rendered);
  return 0;
}
