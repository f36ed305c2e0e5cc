// How far a point is from optimal for (P1)-(P3): the duality gap.
//
// Every dual point u bounds the optimal value from below (weak duality):
//   (P1) D(u) = -Re<u, y> - eta ||u||        if |(A^* u)_i| <= w_i for all i
//   (P2) D(u) = -Re<u, y> - ||u||^2 / 4      if |(A^* u)_i| <= lambda w_i
//   (P3) D(u) = -Re<u, y>                    if |(A^* u)_i| <= lambda w_i, ||u|| <= 1
// (the Lagrangian is G(x) + Re<u, A x - y> - F^*(u), the convention of
// SolverResult::dual). So P(x) - D(u) >= P(x) - P^* >= 0 for every x that is
// feasible, and it tends to 0 at a minimiser when u tends to a dual solution.
// Any direction u gives a dual point theta u after scaling; the scale is
// chosen to maximise D on that ray. The directions tried are the residual
// A x - y (the dual solution is a multiple of it for P2 and P3, and for P1
// whenever the constraint is active), the algorithm's own dual iterate, and
// the least-norm u meeting the optimality condition on the support of x
// (the only useful one at an exact fit A x = y, where the residual vanishes).
//
// The numbers are computed in the working precision, not certified: each
// is off by the rounding of a few operations (relative error a few working
// epsilons of the terms of P and D), so gaps below that level mean "optimal
// to working precision", and a slightly negative gap can occur.
#pragma once

#include "barriers/solvers/sparse_problem.hpp"

namespace barriers {

/// Where the best dual point came from.
enum class DualSource { residual, solver, support };

/// "residual", "solver", "support".
std::string to_string(DualSource source);

template <class R>
struct OptimalityReport {
  R primal{};         ///< P(x) (for P1 the weighted l1 norm)
  R dual{};           ///< the best dual value D(u) found (a lower bound on the optimal value)
  R gap{};            ///< primal - dual: bounds P(x) - P^* when x is feasible
  R relative_gap{};   ///< gap / max(|primal|, |dual|); 0 when both are 0
  R infeasibility{};  ///< P1: (||A x - y|| - eta)_+; 0 for P2, P3
  DualSource dual_from = DualSource::residual;  ///< the direction that gave the best bound
};

/// The duality gap at x. `dual_hint` is the algorithm's dual iterate (length
/// m; ignored when empty or non-finite). lambda is used for P2, P3, eta for
/// P1; empty w means unit weights. Throws std::invalid_argument for sizes
/// that do not match A.
template <class T>
OptimalityReport<real_of<T>> duality_gap(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y,
                                         const Vector<T>& x, const Vector<T>& dual_hint,
                                         const real_of<T>& lambda, const real_of<T>& eta,
                                         const Vector<real_of<T>>& w);

/// max over theta in [0, theta_max] of D(theta u), theta_max the largest
/// scale that keeps theta u dual feasible. 0 when u = 0 (and for P1 when
/// A^* u = 0, where the scale is unbounded and the ray proves nothing finite).
template <class T>
real_of<T> dual_value_on_ray(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y, const Vector<T>& u,
                             const real_of<T>& lambda, const real_of<T>& eta, const Vector<real_of<T>>& w);

#define BARRIERS_X(T)                                                                                              \
  extern template OptimalityReport<real_of<T>> duality_gap<T>(SparseProblem, const LinearOperator<T>&,            \
                                                              const Vector<T>&, const Vector<T>&, const Vector<T>&, \
                                                              const real_of<T>&, const real_of<T>&,              \
                                                              const Vector<real_of<T>>&);                        \
  extern template real_of<T> dual_value_on_ray<T>(SparseProblem, const LinearOperator<T>&, const Vector<T>&,      \
                                                  const Vector<T>&, const real_of<T>&, const real_of<T>&,        \
                                                  const Vector<real_of<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
