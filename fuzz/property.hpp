#pragma once

#include <cstdio>
#include <cstdlib>

// A property a fuzz target checks: on failure it names the broken condition
// and aborts, which libFuzzer reports as a crash (and saves the input) and
// the normal build's replay test reports as a failure.
[[noreturn]] inline void fuzz_property_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: property failed: %s\n", file, line, condition);
  std::abort();
}

#define FUZZ_PROPERTY(condition) ((condition) ? void(0) : fuzz_property_failed(#condition, __FILE__, __LINE__))
