// The upper bound FIRENET's error analysis gives on its output change
// (docs/stability.md has the derivation).
//
// Assume approximate sharpness of F_y(x) = lambda ||x||_{1,w} + ||Ax - y||
// at a point x: for every x',
//     ||x' - x|| <= C1 (F_y(x') - F_y(x)) + C2 ||Ax - y||.                (S)
// Chambolle-Pock's ergodic bound for one restart (p steps on data alpha y
// from alpha psi_{r-1} and zero dual, tau sigma ||A||^2 < 1), rescaled by
// positive homogeneity, gives
//     F_y(psi_r) - F_y(x) <= alpha_r ||psi_{r-1} - x||^2 / (p tau) + 1 / (alpha_r p sigma),
// so with d_0 = ||x|| (psi_0 = 0) and
//     d_r = C1 (alpha_r d_{r-1}^2 / (p tau) + 1 / (alpha_r p sigma)) + C2 ||Ax - y||
// FIRENET's output satisfies ||Phi(y) - x|| <= d_n. For a perturbation e,
//     ||Phi(y + e) - Phi(y)|| <= d_n(y + e) + d_n(y),
// where d_n(y + e) has ||Ax - y - e|| <= ||Ax - y|| + ||e|| in its noise term
// and its own alphas when eps0 comes from the input. These are bounds for
// exact arithmetic (computed values differ by rounding).
//
// (S) holds with known constants when A has full column rank: with
// ||Av|| >= s_min ||v|| and kappa = s_min - lambda ||w||_2 > 0,
// C1 = 1 / kappa and C2 = 2 / kappa. Under the robust null space property in
// levels the constants come from rho and gamma (THEORY.md section 6), which
// cannot be computed for a general A; callers supply them.
#pragma once

#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class R>
struct SharpnessConstants {
  R C1, C2;
};

/// (S) for A with ||Av|| >= s_min ||v|| for all v: C1 = 1/kappa, C2 = 2/kappa,
/// kappa = s_min - lambda ||w||_2 (empty w: all 1, N entries). Throws
/// std::invalid_argument when kappa <= 0 (the bound then says nothing).
template <class R>
SharpnessConstants<R> full_column_rank_sharpness(const R& s_min, const R& lambda, const Vector<R>& weights,
                                                 Eigen::Index N);

/// d_n above: the bound on ||Phi(y) - x|| given ||x|| and ||Ax - y||.
template <class T>
real_of<T> firenet_error_bound(const detail::FirenetPlan<T>& plan, const SharpnessConstants<real_of<T>>& c,
                               const Vector<T>& y, const real_of<T>& x_norm, const real_of<T>& residual);

/// The bound on ||Phi(y + e) - Phi(y)||, from x (the same point for both).
template <class T>
real_of<T> firenet_stability_bound(const LinearOperator<T>& A, const detail::FirenetPlan<T>& plan,
                                   const SharpnessConstants<real_of<T>>& c, const Vector<T>& x,
                                   const Vector<T>& y, const Vector<T>& e);

#define BARRIERS_X(T)                                                                                         \
  extern template real_of<T> firenet_error_bound<T>(const detail::FirenetPlan<T>&,                           \
                                                    const SharpnessConstants<real_of<T>>&, const Vector<T>&, \
                                                    const real_of<T>&, const real_of<T>&);                    \
  extern template real_of<T> firenet_stability_bound<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&, \
                                                        const SharpnessConstants<real_of<T>>&, const Vector<T>&, \
                                                        const Vector<T>&, const Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R)                                                                                  \
  extern template SharpnessConstants<R> full_column_rank_sharpness<R>(const R&, const R&, const Vector<R>&, \
                                                                      Eigen::Index);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
