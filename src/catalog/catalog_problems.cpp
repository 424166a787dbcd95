#include "catalog/catalog_problems.hpp"

namespace orderly::catalog::problems {

core::ProblemError product_not_found() {
  return core::ProblemError({404, "/problems/not-found", "Not Found", "no product has this id", {}});
}

core::ProblemError job_not_found() {
  return core::ProblemError({404, "/problems/not-found", "Not Found", "no job has this id", {}});
}

core::ProblemError sku_taken() {
  return core::ProblemError({409, "/problems/sku-taken", "SKU taken", "another product has this sku", {}});
}

core::ProblemError stale_version(std::int64_t current_version) {
  return core::ProblemError(
      {412,
       "/problems/precondition-failed",
       "Precondition Failed",
       "If-Match does not name the current version (v" + std::to_string(current_version) + "); read the product again",
       {}});
}

core::ProblemError invalid_field(std::string field, std::string message) {
  return core::ProblemError({422,
                             "/problems/validation",
                             "Invalid request",
                             "some fields are not valid",
                             {{std::move(field), std::move(message)}}});
}

}  // namespace orderly::catalog::problems
