// The problem+json writer (core::Problem::to_json) and the Prometheus text
// writer (core::metrics::Registry::render) given hostile strings: the input,
// cut at NUL bytes, gives a problem's title, detail and field errors, and a
// counter's HELP text and label values. Property: both outputs stay valid and
// say exactly what they were given, read back by a JSON parser and by a
// reader of the text format (version 0.0.4: one sample a line, label values
// escaping backslash, quote and newline; HELP escaping backslash, newline).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>

#include "core/metrics.hpp"
#include "catalog/product_rules.hpp"
#include "core/problem.hpp"
#include "property.hpp"

namespace {

using namespace orderly;

std::vector<std::string> parts(std::string_view text, std::size_t count) {
  std::vector<std::string> out;
  while (out.size() + 1 < count) {
    const auto cut = text.find('\0');
    out.emplace_back(text.substr(0, cut));
    text = cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1);
  }
  out.emplace_back(text);
  return out;
}

void check_problem(const std::vector<std::string>& strings) {
  core::Problem problem{422, "/problems/validation", strings[0], strings[1], {{strings[2], strings[3]}}};
  boost::system::error_code error;
  const auto value = boost::json::parse(problem.to_json(), error);
  FUZZ_PROPERTY(!error && value.is_object());
  const auto& body = value.as_object();
  // Ill-formed UTF-8 is replaced (U+FFFD); well-formed text comes back as it was.
  for (const auto& text : strings) {
    if (!catalog::is_utf8(text)) return;
  }
  FUZZ_PROPERTY(body.at("title").as_string() == problem.title);
  FUZZ_PROPERTY(body.at("detail").as_string() == problem.detail);
  const auto& field = body.at("errors").as_array().at(0).as_object();
  FUZZ_PROPERTY(field.at("field").as_string() == strings[2] && field.at("message").as_string() == strings[3]);
}

// Reads `"...",` or `"..."}` from the front of `line`, undoing the escapes.
std::string read_label_value(std::string_view& line) {
  FUZZ_PROPERTY(!line.empty() && line.front() == '"');
  line.remove_prefix(1);
  std::string value;
  while (true) {
    FUZZ_PROPERTY(!line.empty());
    const char c = line.front();
    line.remove_prefix(1);
    if (c == '"') return value;
    FUZZ_PROPERTY(c != '\n');
    if (c == '\\') {
      FUZZ_PROPERTY(!line.empty());
      const char escaped = line.front();
      line.remove_prefix(1);
      FUZZ_PROPERTY(escaped == '\\' || escaped == '"' || escaped == 'n');
      value += escaped == 'n' ? '\n' : escaped;
    } else {
      value += c;
    }
  }
}

std::string unescape_help(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[i + 1] == 'n' ? '\n' : text[i + 1];
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

void check_metrics(const std::vector<std::string>& strings) {
  core::metrics::Registry registry;
  auto& family = registry.counter("orderly_fuzz_total", strings[4], {"route", "outcome"});
  family.with_labels({strings[5], strings[6]}).inc();
  const auto text = registry.render();
  std::vector<std::string_view> lines;
  std::string_view rest(text);
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    FUZZ_PROPERTY(end != std::string_view::npos);  // every line ends
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  FUZZ_PROPERTY(lines.size() == 3);
  constexpr std::string_view help_prefix = "# HELP orderly_fuzz_total ";
  FUZZ_PROPERTY(lines[0].starts_with(help_prefix));
  FUZZ_PROPERTY(unescape_help(lines[0].substr(help_prefix.size())) == strings[4]);
  FUZZ_PROPERTY(lines[1] == "# TYPE orderly_fuzz_total counter");
  auto sample = lines[2];
  constexpr std::string_view route = "orderly_fuzz_total{route=";
  FUZZ_PROPERTY(sample.starts_with(route));
  sample.remove_prefix(route.size());
  FUZZ_PROPERTY(read_label_value(sample) == strings[5]);
  constexpr std::string_view outcome = ",outcome=";
  FUZZ_PROPERTY(sample.starts_with(outcome));
  sample.remove_prefix(outcome.size());
  FUZZ_PROPERTY(read_label_value(sample) == strings[6]);
  FUZZ_PROPERTY(sample == "} 1");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto strings = parts(std::string_view(reinterpret_cast<const char*>(data), size), 7);
  check_problem({strings.begin(), strings.begin() + 4});
  check_metrics(strings);
  return 0;
}
