// ISTA and FISTA (proximal gradient, plain and accelerated) for the LASSO (P2).
//
// (P2) is smooth plus separable: ||A x - y||^2 has gradient 2 A^*(A x - y),
// Lipschitz with constant 2 L^2, and lambda ||x||_{1,w} has the
// soft-threshold as prox. ISTA takes the step 1 / (2 L^2) and has objective
// gap O(1/k); FISTA adds Nesterov/Beck-Teboulle momentum and has O(1/k^2).
#pragma once

#include "barriers/solvers/solver_result.hpp"
#include "barriers/solvers/sparse_problem.hpp"

namespace barriers {

template <class T>
struct FistaSettings {
  using Real = real_of<T>;
  Real lambda = Real(1);     ///< weight of the l1 term (> 0)
  Vector<Real> weights;      ///< l1 weights (> 0), empty = all 1
  Real norm_bound = Real(0); ///< L >= ||A||; 0 = A.norm_bound()
  long max_iterations = 1000;
  Real tolerance = Real(0);  ///< stop when ||x_k - x_{k-1}|| <= tol ||x_k|| (relative, x_k != 0); 0 = never
  Vector<T> reference;
  Observer<Real> observer;
  long observe_every = 1;     ///< call the observer every k-th (inner) iteration only (>= 1)
};

/// Accelerated proximal gradient (FISTA) for (P2).
template <class T>
SolverResult<T> fista(const LinearOperator<T>& A, const Vector<T>& y, const FistaSettings<T>& settings);

/// Plain proximal gradient (ISTA) for (P2), same settings.
template <class T>
SolverResult<T> ista(const LinearOperator<T>& A, const Vector<T>& y, const FistaSettings<T>& settings);

#define BARRIERS_X(T)                                                                                        \
  extern template SolverResult<T> fista<T>(const LinearOperator<T>&, const Vector<T>&, const FistaSettings<T>&); \
  extern template SolverResult<T> ista<T>(const LinearOperator<T>&, const Vector<T>&, const FistaSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
