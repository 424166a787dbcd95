#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::core::metrics {

namespace detail {

// Hot metrics are split into shards, one cache line each, picked by the
// calling thread, so event loops on different cores never write the same
// line; a scrape adds the shards up.
inline constexpr std::size_t kShards = 8;

// This thread's shard, assigned round-robin on first use.
std::size_t shard_index();

struct alignas(64) PaddedDouble {
  std::atomic<double> value{0.0};
};

}  // namespace detail

// Metric primitives. Updates are lock-free and safe from any thread; a hot
// path keeps the reference returned by Family::with_labels instead of looking
// the series up per event.
class Counter {
 public:
  void inc(double amount = 1.0) { shards_[detail::shard_index()].value.fetch_add(amount, std::memory_order_relaxed); }
  [[nodiscard]] double value() const;

 private:
  std::array<detail::PaddedDouble, detail::kShards> shards_{};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds` are the upper bounds of the buckets, strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0.0;
  };
  [[nodiscard]] Snapshot snapshot() const;

 private:
  struct alignas(64) Shard {
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts;  // bounds_.size() + 1 buckets
    std::atomic<double> sum{0.0};
  };

  std::vector<double> bounds_;
  std::array<Shard, detail::kShards> shards_;
};

// Buckets for request durations in seconds: 100 µs to 10 s.
[[nodiscard]] std::vector<double> latency_buckets();

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::vector<std::string>& label_names() const { return label_names_; }
  [[nodiscard]] virtual std::string_view type() const = 0;
  // Appends this family in the Prometheus text exposition format (version 0.0.4).
  void render(std::string& out) const;

 protected:
  virtual void render_series(std::string& out) const = 0;
  void check_label_count(std::size_t count) const;
  [[nodiscard]] std::string label_text(const std::vector<std::string>& values) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// All series of one metric name, one per distinct combination of label values.
template <class Metric>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<Metric>()>;

  Family(std::string name, std::string help, std::vector<std::string> label_names, Factory factory)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names)), factory_(std::move(factory)) {}

  // The series for these label values (in the order the family declared its
  // labels), created on first use. The reference stays valid as long as the
  // registry lives. Takes a lock: keep the reference on hot paths.
  Metric& with_labels(const std::vector<std::string>& values) {
    check_label_count(values.size());
    const std::lock_guard lock(mutex_);
    auto& slot = series_[values];
    if (!slot) slot = factory_();
    return *slot;
  }

  [[nodiscard]] std::string_view type() const override;

 private:
  void render_series(std::string& out) const override;

  Factory factory_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

// The process's metrics. Owned by the composition root and passed by reference
// (no global registry). Registering a name twice with the same type returns the
// existing family; with another type or other labels it throws std::logic_error.
class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                               std::vector<double> bounds);

  // A gauge whose value is read at scrape time (resident memory, queue depth).
  void gauge_callback(const std::string& name, const std::string& help, std::function<double()> read);

  // Every family in the Prometheus text format, in registration order.
  [[nodiscard]] std::string render() const;

 private:
  template <class Metric>
  Family<Metric>& add(const std::string& name, const std::string& help, std::vector<std::string> labels,
                      typename Family<Metric>::Factory factory);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// Formats a sample value the way Prometheus parses it (+Inf, -Inf, NaN, shortest round-trip).
[[nodiscard]] std::string format_value(double value);

}  // namespace orderly::core::metrics
