// Chambolle-Pock primal-dual iteration with ergodic averaging for (P1)-(P3).
//
// Each problem is min_x G(x) + F(A x) with G a weighted l1 term and F the
// data term, and the iteration only needs the prox of G (soft-threshold) and
// of the conjugate F^* (for P1: shrink, for P2: a scaling, for P3: projection
// onto the unit ball):
//     x' = prox_{tau G}(x - tau A^* z)
//     z  = prox_{sigma F^*}(z + sigma A (2 x' - x))
// With tau sigma L^2 < 1 (L >= ||A||) the ergodic average of the x iterates
// has objective gap O(1/k) (Chambolle & Pock 2011/2016); this is the
// non-restarted baseline that FIRENET and WARPd accelerate by restarts.
#pragma once

#include "barriers/solvers/solver_result.hpp"
#include "barriers/solvers/sparse_problem.hpp"

namespace barriers {

template <class T>
struct PdhgSettings {
  using Real = real_of<T>;
  SparseProblem problem = SparseProblem::p3_sqrt_lasso;
  Real lambda = Real(1);     ///< P2, P3: weight of the l1 term (> 0)
  Real eta = Real(0);        ///< P1: noise level (>= 0)
  Vector<Real> weights;      ///< l1 weights (> 0), empty = all 1
  Real tau = Real(0);        ///< primal step; 0 = automatic (0.99 / L)
  Real sigma = Real(0);      ///< dual step; 0 = automatic (0.99 / L)
  Real norm_bound = Real(0); ///< L >= ||A||; 0 = A.norm_bound()
  long max_iterations = 1000;
  bool ergodic = true;       ///< output the running average (else the last iterate)
  Real tolerance = Real(0);  ///< stop when ||x_k - x_{k-1}|| <= tol ||x_k|| (relative, x_k != 0); 0 = never
  Vector<T> reference;       ///< optional: errors against it go to the observer
  Observer<Real> observer;   ///< optional, called every iteration
  long observe_every = 1;     ///< call the observer every k-th (inner) iteration only (>= 1)
};

/// Throws std::invalid_argument (one sentence) for invalid data or settings.
template <class T>
SolverResult<T> primal_dual(const LinearOperator<T>& A, const Vector<T>& y, const PdhgSettings<T>& settings);

#define BARRIERS_X(T) \
  extern template SolverResult<T> primal_dual<T>(const LinearOperator<T>&, const Vector<T>&, const PdhgSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
