// WARPd and WARPdSR: restarted primal-dual with linear convergence under
// approximate sharpness (THEORY.md section 7).
//
// WARPd solves  min J(x) + ||B x||_1  s.t. ||A x - b||_2 <= eps,
// WARPdSR the noise-blind  min lambda (J(x) + ||B x||_1) + ||A x - b||_2,
// with J(x) = ||x||_{1,w} (or J = 0) and B optional (e.g. Gradient1D for total
// variation); ||B x||_1 may be a grouped l1 norm sum_g w_g ||(B x)_g||_2
// (grouped_l1.hpp: isotropic TV, TGV, weighted analysis l1), whose dual
// prox projects each group onto its ball, with sqrt(q) replaced by the dual
// radius sqrt(sum_g w_g^2) in the step sizes. Both restart a primal-dual iteration n times from the previous
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

#include <functional>
#include <optional>
#include <vector>

#include "barriers/solvers/grouped_l1.hpp"
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
  bool l1_on_x = true;        ///< false: J = 0 (then weights must be empty)
  OperatorPtr<T> B;           ///< optional regularising operator (null = none)
  GroupLayout<Real> groups;   ///< grouping of B's rows; empty = plain l1 (grouped_l1.hpp)
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
  /// If set, the observer's error is error_of(estimate) instead of the
  /// distance to `reference` (which must then be empty); e.g. the error of
  /// the image part of TGV's unknown (u, v).
  std::function<Real(const Vector<T>&)> error_of;
};

template <class T>
struct WarpdSrSettings {
  using Real = real_of<T>;
  Real lambda = Real(0);      ///< > 0 (THEORY.md suggests 1/C2 from the constrained form)
  Real C1 = Real(1);          ///< sharpness constant of the square-root objective (> 0)
  Vector<Real> weights;
  bool l1_on_x = true;
  OperatorPtr<T> B;
  GroupLayout<Real> groups;
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
  std::function<Real(const Vector<T>&)> error_of;  ///< as in WarpdSettings
};

/// Result::objective = J(x) + ||B x||_1 (grouped when settings.groups is set); feasibility_gap = (||A x - b|| - eps)_+;
/// Result::dual = the data-term dual d_A (for B = null a dual point of (P1)).
template <class T>
SolverResult<T> warpd(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSettings<T>& settings);

/// Result::objective = lambda (J(x) + ||B x||_1) + ||A x - b||; feasibility_gap = 0;
/// Result::dual = d_A (for B = null a dual point of (P3)).
template <class T>
SolverResult<T> warpd_sr(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSrSettings<T>& settings);

/// The inner count WARPd uses: settings.inner, or ceil(2 C1 C2 L_A / nu)
/// (L_A = A.norm_bound() when settings.L_A is 0). Throws when it is >= 1e9.
template <class T>
long warpd_inner_count(const LinearOperator<T>& A, const WarpdSettings<T>& settings);

/// WARPd for unknown C1, C2: a grid search at a logarithmic extra cost.
/// Every (C1, C2) of the grid runs WARPd (the other settings as given) within
/// `budget` inner iterations (the automatic or given inner count, as many
/// whole restarts as fit; one shorter restart when one does not); with
/// `rounds` > 1 the whole grid runs again with the budget doubled each round.
/// The output with the smallest criterion
///   f(x) + kappa (||A x - b|| - eps)_+,   f = J + ||B .||,
/// is returned: it is the computable part of the right-hand side of the
/// approximate sharpness bound (THEORY.md section 7; f(x_true) is the same
/// for every candidate), so with kappa = C2 it ranks the candidates by their
/// error bound. kappa = 0 takes the largest C2 of the grid (the heaviest
/// penalty on infeasibility). A grid of g values per constant covering a
/// ratio R costs g^2 = O(log^2 R) runs.
template <class T>
struct WarpdGridSearch {
  using Real = real_of<T>;
  std::vector<Real> C1_values, C2_values;  ///< non-empty, > 0 (e.g. geometric_grid)
  long budget = 0;                         ///< inner iterations per run in round 0 (>= 1)
  int rounds = 1;                          ///< >= 1; round r gives every run budget 2^r budget
  Real kappa = Real(0);                    ///< >= 0; 0 = max(C2_values)
};

template <class T>
struct WarpdGridRun {
  using Real = real_of<T>;
  Real C1, C2, criterion;
  long budget = 0, iterations = 0;
  int restarts = 0;
  long inner = 0;
  std::optional<Real> error;  ///< ||x - reference|| (or error_of(x)) when one is given
};

template <class T>
struct WarpdGridResult {
  using Real = real_of<T>;
  SolverResult<T> best;             ///< the selected run's result
  Real C1, C2;                      ///< its constants
  long total_iterations = 0;        ///< summed over every run
  std::vector<WarpdGridRun<T>> runs;  ///< in the order run (round, C1, C2)
};

/// center * ratio^i for i = -half .. half (2 half + 1 values, ascending);
/// center > 0, ratio > 1, half >= 0.
template <class Real>
std::vector<Real> geometric_grid(const Real& center, const Real& ratio, int half);

/// settings.C1, C2, restarts and observer are ignored (the grid sets them);
/// settings.inner is used by every run when non-zero.
template <class T>
WarpdGridResult<T> warpd_grid_search(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSettings<T>& settings,
                                     const WarpdGridSearch<T>& grid);

#define BARRIERS_X(T)                                                                                         \
  extern template SolverResult<T> warpd<T>(const LinearOperator<T>&, const Vector<T>&, const WarpdSettings<T>&); \
  extern template SolverResult<T> warpd_sr<T>(const LinearOperator<T>&, const Vector<T>&, const WarpdSrSettings<T>&); \
  extern template long warpd_inner_count<T>(const LinearOperator<T>&, const WarpdSettings<T>&);                     \
  extern template WarpdGridResult<T> warpd_grid_search<T>(const LinearOperator<T>&, const Vector<T>&,               \
                                                          const WarpdSettings<T>&, const WarpdGridSearch<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) extern template std::vector<R> geometric_grid<R>(const R&, const R&, int);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
