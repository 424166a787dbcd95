#pragma once

#include <cstdint>
#include <string>

#include "core/problem.hpp"

// The problem+json answers the catalog's handlers throw (core::ProblemError).
namespace orderly::catalog::problems {

[[nodiscard]] core::ProblemError product_not_found();
[[nodiscard]] core::ProblemError job_not_found();
[[nodiscard]] core::ProblemError sku_taken();
[[nodiscard]] core::ProblemError stale_version(std::int64_t current_version);
[[nodiscard]] core::ProblemError invalid_field(std::string field, std::string message);

}  // namespace orderly::catalog::problems
