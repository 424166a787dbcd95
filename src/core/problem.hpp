#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace orderly::core {

// An RFC 9457 problem: the body of every error response.
// `detail` is shown to clients: never put a secret, a token or a card number in it.
struct Problem {
  struct FieldError {
    std::string field;
    std::string message;
  };

  int status = 500;
  std::string type;   // a stable slug such as "/problems/out-of-stock"
  std::string title;  // short, the same for every instance of the type
  std::string detail;
  std::vector<FieldError> errors;  // for 422 validation problems

  [[nodiscard]] std::string to_json() const;
};

// Thrown by handlers to answer with a problem; caught at the request boundary.
class ProblemError : public std::runtime_error {
 public:
  explicit ProblemError(Problem problem) : std::runtime_error(problem.title), problem_(std::move(problem)) {}
  [[nodiscard]] const Problem& problem() const { return problem_; }

 private:
  Problem problem_;
};

}  // namespace orderly::core
