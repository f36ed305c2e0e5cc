// WARPd and WARPdSR: restarted primal-dual with linear convergence under
// approximate sharpness (THEORY.md section 7).
//
// WARPd solves  min J(x) + ||B x||_1  s.t. ||A x - b||_2 <= eps,
// WARPdSR the noise-blind  min lambda (J(x) + ||B x||_1) + ||A x - b||_2,
// with J(x) = ||x||_{1,w} and B optional (e.g. Gradient1D for total
// variation). Both restart a primal-dual iteration n times from the previous
// output with step sizes set by the current error bound C1 (delta + omega),
// and shrink omega by nu per restart, down to omega_0 u (u the working
// epsilon; below it the steps are lost in rounding and, with delta = 0, the
// dual step would overflow). By default the dual variables carry over from
// one restart to the next, as in the published WARPd.m. If the approximate sharpness bound
//   ||x' - x|| <= C1 [f(x') - f(x) + C2 (||A x' - b|| - eps)_+] + c(x, b)
// holds, WARPd's error after j restarts is at most
//   C1 delta / (1 - nu) + C1 C2 ||b|| nu^j:
// linear convergence to the noise/model floor without strong convexity. The
// inner count k = ceil(2 C1 C2 L_A / nu) is what that bound needs.
// WARPdSR uses the same scheme with C2 = 1 (the residual enters the
// objective with weight 1) and the B block scaled by lambda; FIRENET is its
// l1 instance written in rescaled variables (firenet.hpp).
#pragma once

#include <optional>

#include "barriers/solvers/linear_operator.hpp"
#include "barriers/solvers/solver_result.hpp"

namespace barriers {

template <class T>
struct WarpdSettings {
  using Real = real_of<T>;
  Real eps = Real(0);         ///< noise level of the constraint ||A x - b|| <= eps (>= 0)
  Real C1 = Real(1);          ///< sharpness constants (> 0)
  Real C2 = Real(1);
  Vector<Real> weights;       ///< J = ||.||_{1,w}; empty = all 1
  OperatorPtr<T> B;           ///< optional regularising operator (null = none)
  Real L_A = Real(0);         ///< >= ||A||; 0 = A.norm_bound()
  Real L_B = Real(0);         ///< >= ||B||; 0 = B->norm_bound()
  Real delta = Real(0);       ///< noise/model floor delta >= 0
  std::optional<Real> nu;     ///< in (0, 1); empty = e^-1 at the working precision
  int restarts = 10;          ///< n >= 1
  long inner = 0;             ///< k >= 1; 0 = ceil(2 C1 C2 L_A / nu)
  bool ergodic = true;        ///< output the ergodic average of each restart (else its last iterate)
  bool warm_dual = true;      ///< carry the duals into the next restart (published WARPd.m); false = restart them at 0
  Vector<T> x0;               ///< start; empty = 0
  Vector<T> reference;
  Observer<Real> observer;    ///< called every inner step (estimate: the current output candidate)
  long observe_every = 1;     ///< call the observer every k-th (inner) iteration only (>= 1)
};

template <class T>
struct WarpdSrSettings {
  using Real = real_of<T>;
  Real lambda = Real(0);      ///< > 0 (THEORY.md suggests 1/C2 from the constrained form)
  Real C1 = Real(1);          ///< sharpness constant of the square-root objective (> 0)
  Vector<Real> weights;
  OperatorPtr<T> B;
  Real L_A = Real(0);
  Real L_B = Real(0);
  Real delta = Real(0);
  std::optional<Real> nu;
  int restarts = 10;
  long inner = 0;             ///< 0 = ceil(2 C1 (L_A + lambda L_B sqrt(q)) / nu)
  bool ergodic = true;
  bool warm_dual = true;
  Vector<T> x0;
  Vector<T> reference;
  Observer<Real> observer;
  long observe_every = 1;     ///< call the observer every k-th (inner) iteration only (>= 1)
};

/// Result::objective = J(x) + ||B x||_1; feasibility_gap = (||A x - b|| - eps)_+;
/// Result::dual = the data-term dual d_A (for B = null a dual point of (P1)).
template <class T>
SolverResult<T> warpd(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSettings<T>& settings);

/// Result::objective = lambda (J(x) + ||B x||_1) + ||A x - b||; feasibility_gap = 0;
/// Result::dual = d_A (for B = null a dual point of (P3)).
template <class T>
SolverResult<T> warpd_sr(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSrSettings<T>& settings);

#define BARRIERS_X(T)                                                                                         \
  extern template SolverResult<T> warpd<T>(const LinearOperator<T>&, const Vector<T>&, const WarpdSettings<T>&); \
  extern template SolverResult<T> warpd_sr<T>(const LinearOperator<T>&, const Vector<T>&, const WarpdSrSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
