// How far FIRENET's output can still move: the test that tells a stalled
// convergence curve (the restart schedule outran the inner steps) from a
// floor (noise or rounding) in `barriers convergence`.
//
// In restart k FIRENET runs p primal-dual steps on the problem rescaled by
// alpha_k = 2 L_A / (eps_k p), from alpha_k psi, and returns the ergodic
// average divided by alpha_k (THEORY.md section 6). One primal step moves the
// rescaled iterate by at most tau L_A + tau lambda ||w||_2: x' = soft_t(x -
// tau A^* z) with ||z||_2 <= 1 (z starts at 0 and is projected onto the unit
// ball), and |soft_t(v)_i - x_i| <= t_i + |v_i - x_i|, t = tau lambda w. So
// restart k moves psi by at most p tau (L_A + lambda ||w||_2) / alpha_k, a
// bound that shrinks with eps_k whatever the iterates do. Once psi is farther
// from x than the sum of these bounds over the remaining restarts, FIRENET
// cannot reach x with these settings: its output is stuck, because eps fell
// by e^-1 per restart while p steps reduced the error by less (the theory
// asks p >~ 2 e C1 L_A, C1 the sharpness constant of the problem, which
// grows as lambda falls). The bound ignores rounding, which is far below it
// wherever it is used (it is compared with distances of at least 100 times
// the working precision's unit, see stuck_restart).
#pragma once

#include <cmath>
#include <vector>

#include "barriers/solvers/firenet.hpp"

namespace barriers::cli {

/// The most psi can move in each restart (index k = restart k + 1) of the
/// run firenet(A, y, settings), rounded to double.
template <class T>
std::vector<double> firenet_restart_moves(const LinearOperator<T>& A, const Vector<T>& y,
                                          const FirenetSettings<T>& settings) {
  using Real = real_of<T>;
  const detail::FirenetPlan<T> plan = detail::make_firenet_plan(A, settings);
  const Real eps0 = detail::firenet_eps0(plan, y);
  // tau lambda ||w||_2 is the norm of the thresholds.
  const Real step = plan.tau * plan.L + Real(plan.thresholds.norm());
  std::vector<double> moves;
  for (const Real& alpha : detail::firenet_alphas(plan, eps0))
    moves.push_back(static_cast<double>(Real(Real(plan.inner) * step / alpha)));
  return moves;
}

/// Where a run is provably stuck: the first restart r (from 1) after which
/// the distance to x, restart_errors[r - 1] * x_norm, exceeds the most the
/// remaining restarts r + 1 .. n can move psi (the sum of moves[r ..]), and
/// that distance exceeds 100 u x_norm (u = 2^-bits: not a rounding effect).
/// 0 when there is no such restart (the curve could still have reached x).
struct StuckAt {
  long restart = 0;
  double distance = 0;  ///< ||psi_r - x|| / ||x||
  double reach = 0;     ///< the most psi could still move, relative to ||x||
};

inline StuckAt stuck_restart(const std::vector<double>& restart_errors, const std::vector<double>& moves,
                             double x_norm, unsigned bits) {
  StuckAt s;
  const double u = std::ldexp(1.0, -int(bits));
  double remaining = 0;  // sum of moves after restart r
  std::vector<double> after(restart_errors.size(), 0.0);
  for (std::size_t r = restart_errors.size(); r-- > 0;) {
    after[r] = remaining;
    if (r < moves.size()) remaining += moves[r];
  }
  for (std::size_t r = 0; r + 1 < restart_errors.size(); ++r) {
    const double reach = after[r] / x_norm;
    if (restart_errors[r] > reach && restart_errors[r] > 100 * u) {
      s.restart = long(r) + 1;
      s.distance = restart_errors[r];
      s.reach = reach;
      break;
    }
  }
  return s;
}

}  // namespace barriers::cli
