#include "core/metrics.hpp"

#include <limits>
#include <thread>

#include <gtest/gtest.h>

namespace orderly::core::metrics {
namespace {

TEST(Metrics, CounterRendersWithHelpTypeAndLabels) {
  Registry registry;
  auto& requests = registry.counter("orderly_test_requests_total", "Requests handled.", {"route", "status"});
  requests.with_labels({"/a", "200"}).inc();
  requests.with_labels({"/a", "200"}).inc(2);
  requests.with_labels({"/b", "404"}).inc();

  const auto text = registry.render();
  EXPECT_NE(text.find("# HELP orderly_test_requests_total Requests handled.\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE orderly_test_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("orderly_test_requests_total{route=\"/a\",status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("orderly_test_requests_total{route=\"/b\",status=\"404\"} 1\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry registry;
  registry.gauge("orderly_test_gauge", "g", {"v"}).with_labels({"a\"b\\c\nd"}).set(1.5);
  EXPECT_NE(registry.render().find(R"(orderly_test_gauge{v="a\"b\\c\nd"} 1.5)"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Registry registry;
  auto& histogram = registry.histogram("orderly_test_seconds", "h", {}, {0.1, 1.0}).with_labels({});
  histogram.observe(0.05);
  histogram.observe(0.1);  // on the bound: counts in le="0.1"
  histogram.observe(0.5);
  histogram.observe(7);

  const auto text = registry.render();
  EXPECT_NE(text.find("orderly_test_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orderly_test_seconds_bucket{le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orderly_test_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orderly_test_seconds_sum 7.65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orderly_test_seconds_count 4\n"), std::string::npos) << text;
}

TEST(Metrics, WrongLabelCountThrows) {
  Registry registry;
  auto& family = registry.counter("orderly_test_total", "c", {"a"});
  EXPECT_THROW(family.with_labels({}), std::logic_error);
  EXPECT_THROW(family.with_labels({"x", "y"}), std::logic_error);
}

TEST(Metrics, SameNameReturnsSameFamilyAndOtherTypeThrows) {
  Registry registry;
  auto& first = registry.counter("orderly_test_total", "c");
  auto& second = registry.counter("orderly_test_total", "c");
  EXPECT_EQ(&first, &second);
  EXPECT_THROW(registry.gauge("orderly_test_total", "g"), std::logic_error);
  EXPECT_THROW(registry.counter("orderly_test_total", "c", {"other"}), std::logic_error);
}

TEST(Metrics, InvalidNamesAndBoundsAreRejected) {
  Registry registry;
  EXPECT_THROW(registry.counter("9bad", "c"), std::logic_error);
  EXPECT_THROW(registry.counter("orderly_ok_total", "c", {"le"}), std::logic_error);
  EXPECT_THROW(registry.histogram("orderly_h", "h", {}, {1.0, 0.5}), std::logic_error);
}

TEST(Metrics, CallbackGaugeIsReadAtRenderTime) {
  Registry registry;
  double value = 1;
  registry.gauge_callback("orderly_test_depth", "d", [&] { return value; });
  value = 42;
  EXPECT_NE(registry.render().find("orderly_test_depth 42\n"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  auto& counter = registry.counter("orderly_test_total", "c").with_labels({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.inc();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000);
}

TEST(Metrics, SpecialValuesUsePrometheusSpelling) {
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_value(3), "3");
}

}  // namespace
}  // namespace orderly::core::metrics
