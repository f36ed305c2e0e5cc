// The three sparse-regularisation problems (THEORY.md section 1).
#pragma once

#include <string>

namespace barriers::impossibility {

enum class Problem {
  p1,  ///< basis pursuit denoise: min ||x||_1 s.t. ||Ax - y||_2 <= eta
  p2,  ///< LASSO: min lambda ||x||_1 + ||Ax - y||_2^2
  p3,  ///< square-root LASSO: min lambda ||x||_1 + ||Ax - y||_2
};

std::string to_string(Problem p);
/// Parses "p1", "p2" or "p3"; throws std::invalid_argument otherwise.
Problem parse_problem(const std::string& name);

}  // namespace barriers::impossibility
