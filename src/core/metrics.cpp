#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace orderly::core::metrics {
namespace {

// Label values may hold any UTF-8; the text format escapes backslash, quote and newline.
void append_escaped(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// HELP text escapes only backslash and newline.
void append_help(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A gauge read at scrape time.
class CallbackGauge final : public FamilyBase {
 public:
  CallbackGauge(std::string name, std::string help, std::function<double()> read)
      : FamilyBase(std::move(name), std::move(help), {}), read_(std::move(read)) {}
  [[nodiscard]] std::string_view type() const override { return "gauge"; }

 private:
  void render_series(std::string& out) const override {
    out += name_;
    out += ' ';
    out += format_value(read_());
    out += '\n';
  }
  std::function<double()> read_;
};

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// 0.3 is an edge because the checkout's latency objective (p99 < 300 ms for
// POST /api/v1/orders, deploy/prometheus/rules) must be read off a bucket,
// not interpolated inside one.
std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10};
}

namespace detail {

std::size_t shard_index() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t index = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return index;
}

}  // namespace detail

double Counter::value() const {
  double total = 0;
  for (const auto& shard : shards_) total += shard.value.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::logic_error("histogram bounds must be strictly increasing");
  }
  for (auto& shard : shards_) shard.counts = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double value) {
  const auto bucket =
      static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  auto& shard = shards_[detail::shard_index()];
  shard.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  shard.sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  snapshot.cumulative_counts.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    for (const auto& shard : shards_) running += shard.counts[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(running);
  }
  for (const auto& shard : shards_) snapshot.sum += shard.sum.load(std::memory_order_relaxed);
  return snapshot;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!is_valid_name(name_)) throw std::logic_error("invalid metric name: " + name_);
  for (const auto& label : label_names_) {
    if (!is_valid_name(label) || label.find(':') != std::string::npos || label.starts_with("__") || label == "le") {
      throw std::logic_error("invalid label name: " + label);
    }
  }
}

void FamilyBase::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_help(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type();
  out += '\n';
  render_series(out);
}

void FamilyBase::check_label_count(std::size_t count) const {
  if (count != label_names_.size()) {
    throw std::logic_error(fmt::format("metric {} takes {} labels, got {}", name_, label_names_.size(), count));
  }
}

std::string FamilyBase::label_text(const std::vector<std::string>& values) const {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    append_escaped(out, values[i]);
    out += '"';
  }
  return out;
}

template <>
std::string_view Family<Counter>::type() const {
  return "counter";
}
template <>
std::string_view Family<Gauge>::type() const {
  return "gauge";
}
template <>
std::string_view Family<Histogram>::type() const {
  return "histogram";
}

namespace {

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace

template <>
void Family<Counter>::render_series(std::string& out) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [labels, counter] : series_) append_sample(out, name_, label_text(labels), counter->value());
}

template <>
void Family<Gauge>::render_series(std::string& out) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [labels, gauge] : series_) append_sample(out, name_, label_text(labels), gauge->value());
}

template <>
void Family<Histogram>::render_series(std::string& out) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [labels, histogram] : series_) {
    const auto base = label_text(labels);
    const auto separator = base.empty() ? "" : ",";
    const auto snapshot = histogram->snapshot();
    for (std::size_t i = 0; i <= snapshot.bounds.size(); ++i) {
      const auto le = i < snapshot.bounds.size() ? format_value(snapshot.bounds[i]) : std::string("+Inf");
      append_sample(out, name_ + "_bucket", fmt::format("{}{}le=\"{}\"", base, separator, le),
                    static_cast<double>(snapshot.cumulative_counts[i]));
    }
    append_sample(out, name_ + "_sum", base, snapshot.sum);
    append_sample(out, name_ + "_count", base, static_cast<double>(snapshot.cumulative_counts.back()));
  }
}

template <class Metric>
Family<Metric>& Registry::add(const std::string& name, const std::string& help, std::vector<std::string> labels,
                              typename Family<Metric>::Factory factory) {
  const std::lock_guard lock(mutex_);
  for (const auto& family : families_) {
    if (family->name() != name) continue;
    auto* existing = dynamic_cast<Family<Metric>*>(family.get());
    if (existing == nullptr || existing->label_names() != labels) {
      throw std::logic_error("metric registered twice with different types or labels: " + name);
    }
    return *existing;
  }
  auto family = std::make_unique<Family<Metric>>(name, help, std::move(labels), std::move(factory));
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return add<Counter>(name, help, std::move(labels), [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return add<Gauge>(name, help, std::move(labels), [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels, std::vector<double> bounds) {
  Histogram validate(bounds);  // fail at registration, not at first use
  return add<Histogram>(name, help, std::move(labels),
                        [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
}

void Registry::gauge_callback(const std::string& name, const std::string& help, std::function<double()> read) {
  const std::lock_guard lock(mutex_);
  for (const auto& family : families_) {
    if (family->name() == name) throw std::logic_error("metric registered twice: " + name);
  }
  families_.push_back(std::make_unique<CallbackGauge>(name, help, std::move(read)));
}

std::string Registry::render() const {
  std::string out;
  out.reserve(16 * 1024);
  const std::lock_guard lock(mutex_);
  for (const auto& family : families_) family->render(out);
  return out;
}

}  // namespace orderly::core::metrics
