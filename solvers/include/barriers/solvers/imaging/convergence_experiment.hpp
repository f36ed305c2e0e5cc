// The FIRENET convergence experiment (issue 9): FIRENET on a problem whose
// true solution x_true is known, recording after every inner step the
// relative error and the objective of the running estimate, and the numbers
// read off such a curve (rate per restart, where it flattens, its floor).
//
// The theory (THEORY.md section 6): under the weighted robust null space
// property in levels, ||psi_n - x|| <= C (delta + e^-n eps0) after n
// restarts, delta >= sigma_s(x)_{1,w} / sqrt(s) + ||e|| (model plus noise
// error), eps0 the starting level (||y||), C depending on the null space
// constants. C cannot be computed for these operators (certifying the null
// space property is itself intractable), so the prediction here is drawn
// with C = 1 and the experiment reports the smallest C the measured curve
// needs (max_r error_r / bound_r), never a fitted one.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "barriers/solvers/firenet.hpp"

namespace barriers {

/// One inner step of a run.
struct ConvergencePoint {
  long iteration = 0;         ///< total inner steps so far, from 1
  long restart = 0;           ///< the restart the step belongs to, from 0
  double relative_error = 0;  ///< ||x_k - x_true||_2 / ||x_true||_2, computed in T, then rounded to double
  double objective = 0;       ///< F(x_k) = lambda ||x_k||_{1,w} + ||A x_k - y||_2, rounded to double
  /// F(x_k) - min_j F(x_j) over the whole run, the difference taken in T
  /// (so it resolves gaps far below double's epsilon), then rounded.
  double objective_gap = 0;
};

struct ConvergenceRun {
  std::vector<ConvergencePoint> history;  ///< one point per inner step
  double x_norm = 0;                      ///< ||x_true||_2
  double eps0 = 0;                        ///< FIRENET's starting level (||y||_2 unless set)
  /// P(psi) - D(u) at the output psi with the solver's dual iterate as hint
  /// (optimality.hpp): an upper bound on F(psi) - F^* up to the working
  /// precision's rounding, hence a check on how far min_j F(x_j) may lie
  /// above the optimal value.
  double final_duality_gap = 0;
  TerminationReason reason = TerminationReason::max_iterations;
};

/// Runs FIRENET (settings.reference and settings.observer are overwritten)
/// and records every inner step; `progress` (if set) is called after each
/// with the total steps so far. Throws std::invalid_argument for sizes that
/// do not match or x_true = 0.
template <class T>
ConvergenceRun firenet_convergence(const LinearOperator<T>& A, const Vector<T>& y, const Vector<T>& x_true,
                                   FirenetSettings<T> settings, const std::function<void(long)>& progress = {});

/// The theory's bound with C = 1 after n restarts, relative to ||x_true||:
/// (delta + e^-n eps0) / x_norm.
double predicted_relative_bound(double delta, double eps0, double x_norm, long n);

/// What a curve shows, from its restart-end errors e_1 .. e_n.
struct ConvergenceSummary {
  std::vector<double> restart_errors;  ///< the error at the end of each restart (index r - 1)
  /// The last q = max(4, n / 5) restart-end errors fall by less than 10% per
  /// restart (least-squares slope of their logarithm): the curve is flat.
  bool floor_reached = false;
  double floor = 0;      ///< geometric mean of those q errors (when floor_reached)
  long flattens_at = 0;  ///< first restart from which every error is <= 2 floor; 0 without a floor
  /// exp(least-squares slope of log e_r against r) over restarts 1 ..
  /// fit_last, fit_last the last restart before flattens_at with e_r > 10
  /// floor (n without a floor): the factor per restart in the linear phase.
  /// NaN with fewer than 3 restarts to fit.
  double rate_per_restart = 0;
  long fit_first = 0, fit_last = 0;  ///< the restarts of that fit (0 when none)
};

/// Summarises a history recorded by firenet_convergence (its points must be
/// in order; each restart's last point is its output).
ConvergenceSummary summarise_convergence(const std::vector<ConvergencePoint>& history);

#define BARRIERS_X(T)                                                                                           \
  extern template ConvergenceRun firenet_convergence<T>(const LinearOperator<T>&, const Vector<T>&, const Vector<T>&, \
                                                        FirenetSettings<T>, const std::function<void(long)>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
