#include "core/trace_context.hpp"

#include <gtest/gtest.h>

namespace orderly::core {
namespace {

constexpr auto kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContext, ParsesTheSpecificationExample) {
  const auto context = TraceContext::parse(kValid);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(context->flags, 1U);
  EXPECT_EQ(context->traceparent(), kValid);
}

TEST(TraceContext, RejectsMalformedHeaders) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // forbidden version
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 with extra data
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",    // wrong separators
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
       }) {
    EXPECT_FALSE(TraceContext::parse(bad).has_value()) << bad;
  }
}

TEST(TraceContext, AcceptsFutureVersionsWithExtraFields) {
  EXPECT_TRUE(TraceContext::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra").has_value());
}

TEST(TraceContext, ChildKeepsTheTraceAndPointsAtItsParent) {
  SeededRandom random(7);
  const auto parent = *TraceContext::parse(kValid);
  const auto child = parent.child(random);
  EXPECT_EQ(child.trace_id, parent.trace_id);
  EXPECT_EQ(child.parent_span_id, parent.span_id);
  EXPECT_NE(child.span_id, parent.span_id);
  EXPECT_EQ(child.span_id.size(), 16U);
  EXPECT_TRUE(TraceContext::parse(child.traceparent()).has_value());
}

TEST(TraceContext, StartMakesAValidSampledRoot) {
  SeededRandom random(1);
  const auto root = TraceContext::start(random);
  EXPECT_TRUE(root.parent_span_id.empty());
  const auto reparsed = TraceContext::parse(root.traceparent());
  ASSERT_TRUE(reparsed.has_value());
  EXPECT_EQ(reparsed->trace_id, root.trace_id);
  EXPECT_EQ(reparsed->flags, 1U);
}

}  // namespace
}  // namespace orderly::core
