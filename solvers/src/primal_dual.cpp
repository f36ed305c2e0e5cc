// Chambolle-Pock for (P1)-(P3), instantiated for every scalar type.
#include "barriers/solvers/primal_dual.hpp"

#include <stdexcept>

#include "barriers/solvers/prox.hpp"
#include "progress.hpp"

namespace barriers {

template <class T>
SolverResult<T> primal_dual(const LinearOperator<T>& A, const Vector<T>& y, const PdhgSettings<T>& s) {
  using Real = real_of<T>;
  using std::max;
  detail::check_data(A, y);
  detail::check_weights<T>(s.weights, A.cols());
  detail::check_reference(s.reference, A.cols());
  if (s.problem == SparseProblem::p1_basis_pursuit)
    detail::check_nonnegative(s.eta, "eta");
  else
    detail::check_positive(s.lambda, "lambda");
  if (s.max_iterations < 1)
    throw std::invalid_argument("max_iterations is " + std::to_string(s.max_iterations) + "; it must be >= 1.");
  detail::check_nonnegative(s.tolerance, "the tolerance");
  if (s.observe_every < 1)
    throw std::invalid_argument("observe_every is " + std::to_string(s.observe_every) + "; it must be >= 1.");
  const Real L = s.norm_bound == 0 ? A.norm_bound() : s.norm_bound;
  detail::check_positive(L, "the operator norm bound L");
  const Real tau = s.tau == 0 ? Real(0.99) / L : s.tau;
  const Real sigma = s.sigma == 0 ? Real(0.99) / L : s.sigma;
  detail::check_steps(tau, sigma, L);

  const Eigen::Index N = A.cols(), m = A.rows();
  // Thresholds of prox_{tau G}: G = lambda ||.||_{1,w} (P2, P3) or ||.||_{1,w} (P1).
  const Real scale = s.problem == SparseProblem::p1_basis_pursuit ? tau : tau * s.lambda;
  Vector<Real> thr = s.weights.size() == 0 ? Vector<Real>(Vector<Real>::Constant(N, scale))
                                            : Vector<Real>(s.weights * scale);
  const Vector<T> sigma_y = y * sigma;
  const Real p2_scale = 1 / (1 + sigma / 2);

  auto objective = [&](const Vector<T>& x) {
    return sparse_objective(s.problem, A, y, x, s.lambda, s.weights);
  };
  auto violation = [&](const Vector<T>& x) { return feasibility_gap(s.problem, A, y, x, s.eta); };
  detail::Progress<T> progress(s.observer, s.reference);

  // Every buffer is sized in the first iteration and reused (no allocation after it).
  Vector<T> x = Vector<T>::Zero(N), z = Vector<T>::Zero(m), sum = Vector<T>::Zero(N);
  Vector<T> x_new, work, dir, ax, estimate;
  SolverResult<T> result;
  long k = 0;
  for (k = 1; k <= s.max_iterations; ++k) {
    A.apply_adjoint(z, work);
    work = x - work * tau;
    soft_threshold_into<T>(work, thr, x_new);
    dir = x_new * Real(2) - x;
    A.apply(dir, ax);
    z = z + ax * sigma - sigma_y;
    switch (s.problem) {
      case SparseProblem::p1_basis_pursuit: shrink_in_place<T>(z, sigma * s.eta); break;
      case SparseProblem::p2_lasso: z *= p2_scale; break;
      case SparseProblem::p3_sqrt_lasso: project_l2_ball_in_place<T>(z, Real(1)); break;
    }
    if (!detail::finite_vector(x_new) || !detail::finite_vector(z)) {
      result.reason = TerminationReason::non_finite;
      --k;
      break;
    }
    const Real step = (x_new - x).norm();
    x.swap(x_new);
    sum += x;
    if (progress.active() && k % s.observe_every == 0) {
      if (s.ergodic) estimate = sum / Real(k);
      const Vector<T>& out = s.ergodic ? estimate : x;
      const bool go_on = s.problem == SparseProblem::p1_basis_pursuit
                             ? progress.report(k, 0, out, objective, violation)
                             : progress.report(k, 0, out, objective);
      if (!go_on) {
        result.reason = TerminationReason::observer_stopped;
        break;
      }
    }
    if (s.tolerance > 0 && x.norm() > 0 && step <= s.tolerance * Real(x.norm())) {
      result.reason = TerminationReason::tolerance_reached;
      break;
    }
  }
  result.iterations = std::min(k, s.max_iterations);
  if (result.iterations == 0)
    result.solution = Vector<T>::Zero(N);
  else
    result.solution = s.ergodic ? Vector<T>(sum / Real(result.iterations)) : x;
  result.objective = objective(result.solution);
  result.feasibility_gap = feasibility_gap(s.problem, A, y, result.solution, s.eta);
  result.dual = z;
  return result;
}

#define BARRIERS_X(T) \
  template SolverResult<T> primal_dual<T>(const LinearOperator<T>&, const Vector<T>&, const PdhgSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
