// What every algorithm reports: per-iteration progress and a final result.
//
// Settings structs differ per algorithm, but results and progress reports
// share one shape (in the manner of Ceres' Summary and IterationCallback), so
// the CLI and the experiments handle every solver the same way: an observer
// sees each iteration (objective, error against a reference if one was
// given, elapsed time) and may stop the run; the result says why it ended.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

enum class TerminationReason {
  max_iterations,     ///< the iteration (or restart) budget was used up
  tolerance_reached,  ///< successive iterates moved less than the tolerance
  observer_stopped,   ///< the observer returned false
  non_finite,         ///< an iterate became NaN/Inf (e.g. overflow); result is the last finite one
};

/// "max-iterations", "tolerance-reached", "observer-stopped", "non-finite".
std::string to_string(TerminationReason reason);

template <class R>
struct IterationInfo {
  long iteration = 0;        ///< total (inner) iterations so far, from 1
  long restart = 0;          ///< restart index for restarted schemes (from 0), else 0
  R objective{};             ///< objective of the current output estimate
  std::optional<R> error;    ///< ||estimate - reference||_2 when a reference is given
  /// (||A estimate - y||_2 - eta)_+ for the constrained problem (P1: PDHG on
  /// P1, WARPd), else empty: where it is positive the objective may lie below
  /// the optimal value.
  std::optional<R> feasibility_gap;
  double elapsed_seconds = 0;
};

/// Return true to continue, false to stop.
template <class R>
using Observer = std::function<bool(const IterationInfo<R>&)>;

template <class T>
struct SolverResult {
  Vector<T> solution;
  long iterations = 0;                     ///< total inner iterations performed
  real_of<T> objective{};                  ///< objective at `solution`
  real_of<T> feasibility_gap{};            ///< constraint violation (0 for unconstrained problems)
  /// The algorithm's dual iterate u at the end, in the convention of
  /// optimality.hpp (the Lagrangian is G(x) + Re<u, A x - y> - F^*(u)); empty
  /// when the algorithm keeps none (ISTA, FISTA). A hint for duality gaps only.
  Vector<T> dual;
  TerminationReason reason = TerminationReason::max_iterations;
};

}  // namespace barriers
