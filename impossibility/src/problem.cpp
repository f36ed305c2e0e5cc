#include "barriers/impossibility/problem.hpp"

#include <stdexcept>

namespace barriers::impossibility {

std::string to_string(Problem p) {
  switch (p) {
    case Problem::p1: return "p1";
    case Problem::p2: return "p2";
    case Problem::p3: return "p3";
  }
  return "unknown";
}

Problem parse_problem(const std::string& name) {
  for (auto p : {Problem::p1, Problem::p2, Problem::p3})
    if (name == to_string(p)) return p;
  throw std::invalid_argument("unknown problem '" + name +
                              "': allowed are p1 (basis pursuit), p2 (LASSO), p3 (square-root LASSO)");
}

}  // namespace barriers::impossibility
