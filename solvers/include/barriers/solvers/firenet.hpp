// FIRENET: restarted, rescaled primal-dual for the weighted square-root LASSO.
//
// Minimises F(x) = lambda ||x||_{1,w} + ||A x - y||_2 (THEORY.md section 6).
// Each of n restarts runs p Chambolle-Pock steps on the problem rescaled by
// alpha = 2 L / (eps p), started from the previous output, and returns the
// ergodic average; eps shrinks by e^-1 (plus the noise level delta) per
// restart, but never below eps0 times the working epsilon (below that the
// steps vanish in the rounding of the rescaled iterate, and alpha would
// overflow after enough restarts; see firenet_alphas). Under the weighted robust null space property in levels the error
// falls like delta + e^-n: linear convergence to the noise floor, with no
// training. Unrolled, the same computation is a neural network
// (firenet_network.hpp).
#pragma once

#include <optional>
#include <vector>

#include "barriers/solvers/solver_result.hpp"
#include "barriers/solvers/sparse_problem.hpp"

namespace barriers {

template <class T>
struct FirenetSettings {
  using Real = real_of<T>;
  Real lambda = Real(1);      ///< weight of the l1 term (> 0)
  Vector<Real> weights;       ///< w (> 0), empty = all 1; see sparsity_in_levels_weights
  int restarts = 10;          ///< n >= 1
  int inner = 5;              ///< p >= 1 primal-dual steps per restart
  Real delta = Real(0);       ///< noise/model level delta >= 0
  std::optional<Real> eps0;   ///< initial eps > 0; empty = ||y||_2 (or 1 when y = 0)
  Real tau = Real(0);         ///< 0 = automatic (0.99 / L); tau sigma L^2 < 1 required
  Real sigma = Real(0);       ///< 0 = automatic (0.99 / L)
  Real norm_bound = Real(0);  ///< L_A >= ||A||; 0 = A.norm_bound()
  Vector<T> reference;
  Observer<Real> observer;    ///< called every inner step with the current ergodic estimate
  long observe_every = 1;     ///< call the observer every k-th (inner) iteration only (>= 1)
};

/// Weights for sparsity in levels: level k is [M_{k-1}, M_k) (M_0 = 0,
/// level_ends = M_1 < ... < M_r = N) with at most s_k > 0 non-zeros;
/// w = sqrt(s / s_k) on level k, s = sum s_k. Throws std::invalid_argument
/// for unsorted ends, sizes that differ, or s_k <= 0.
template <class R>
Vector<R> sparsity_in_levels_weights(const std::vector<Eigen::Index>& level_ends,
                                     const std::vector<long>& sparsities);

/// Runs FIRENET. Result::iterations = restarts * inner (unless stopped).
template <class T>
SolverResult<T> firenet(const LinearOperator<T>& A, const Vector<T>& y, const FirenetSettings<T>& settings);

namespace detail {
/// Settings with automatic values filled in and everything validated; shared
/// by firenet() and FirenetNetwork so that both compute the same numbers.
template <class T>
struct FirenetPlan {
  using Real = real_of<T>;
  Real lambda, tau, sigma, L, delta;
  std::optional<Real> eps0;
  int restarts, inner;
  Vector<Real> thresholds;  // tau * lambda * w_i
};
template <class T>
FirenetPlan<T> make_firenet_plan(const LinearOperator<T>& A, const FirenetSettings<T>& s);
/// The rescaling factors alpha_1..alpha_n for a given eps0: alpha = 2 L / (eps p)
/// with eps_r = max(e^-1 (delta + eps_{r-1}), eps0 u), u the working epsilon.
template <class T>
std::vector<real_of<T>> firenet_alphas(const FirenetPlan<T>& plan, const real_of<T>& eps0);
/// eps0 from the plan or from ||y||.
template <class T>
real_of<T> firenet_eps0(const FirenetPlan<T>& plan, const Vector<T>& y);
/// x_new <- soft_{thresholds}(v), v = x - tau A^* z; work holds v on return.
template <class T>
void firenet_primal_step(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                         const Vector<T>& z, Vector<T>& x_new, Vector<T>& work);
/// z <- proj_{||.|| <= 1}(z + sigma A (2 x_new - x) - sigma alpha y); dir and
/// work are scratch space.
template <class T>
void firenet_dual_step(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                       const Vector<T>& x_new, const Vector<T>& sigma_alpha_y, Vector<T>& z, Vector<T>& dir,
                       Vector<T>& work);
/// The dual step's two halves (firenet_dual_step = project(ascent)), for the
/// reverse mode, which keeps u = z + sigma A (2 x_new - x) - sigma alpha y:
/// z <- u, returning ||u||; then u <- u / ||u|| when ||u|| > 1.
template <class T>
real_of<T> firenet_dual_ascent(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                               const Vector<T>& x_new, const Vector<T>& sigma_alpha_y, Vector<T>& z,
                               Vector<T>& dir, Vector<T>& work);
/// The same with ||u|| into u_norm (for real MPFR: no number created).
template <class T>
void firenet_dual_ascent_into(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                              const Vector<T>& x_new, const Vector<T>& sigma_alpha_y, Vector<T>& z, Vector<T>& dir,
                              Vector<T>& work, real_of<T>& u_norm);
template <class T>
void firenet_dual_project(Vector<T>& u, const real_of<T>& u_norm);
}  // namespace detail

#define BARRIERS_X(T)                                                                                            \
  extern template SolverResult<T> firenet<T>(const LinearOperator<T>&, const Vector<T>&, const FirenetSettings<T>&); \
  extern template detail::FirenetPlan<T> detail::make_firenet_plan<T>(const LinearOperator<T>&,                  \
                                                                      const FirenetSettings<T>&);                \
  extern template std::vector<real_of<T>> detail::firenet_alphas<T>(const detail::FirenetPlan<T>&,              \
                                                                    const real_of<T>&);                          \
  extern template real_of<T> detail::firenet_eps0<T>(const detail::FirenetPlan<T>&, const Vector<T>&);          \
  extern template void detail::firenet_primal_step<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&,   \
                                                      const Vector<T>&, const Vector<T>&, Vector<T>&, Vector<T>&); \
  extern template void detail::firenet_dual_step<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&,     \
                                                    const Vector<T>&, const Vector<T>&, const Vector<T>&,        \
                                                    Vector<T>&, Vector<T>&, Vector<T>&);                  \
  extern template real_of<T> detail::firenet_dual_ascent<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&, \
                                                            const Vector<T>&, const Vector<T>&, const Vector<T>&,    \
                                                            Vector<T>&, Vector<T>&, Vector<T>&);                     \
  extern template void detail::firenet_dual_ascent_into<T>(const LinearOperator<T>&,                            \
                                                           const detail::FirenetPlan<T>&, const Vector<T>&,      \
                                                           const Vector<T>&, const Vector<T>&, Vector<T>&,       \
                                                           Vector<T>&, Vector<T>&, real_of<T>&);                 \
  extern template void detail::firenet_dual_project<T>(Vector<T>&, const real_of<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R)                                                                                       \
  extern template Vector<R> sparsity_in_levels_weights<R>(const std::vector<Eigen::Index>&, const std::vector<long>&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
