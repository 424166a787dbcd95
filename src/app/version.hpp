#pragma once

namespace orderly::app {

// Set by CMake from the project version.
inline constexpr const char* kVersion = ORDERLY_VERSION;

}  // namespace orderly::app
