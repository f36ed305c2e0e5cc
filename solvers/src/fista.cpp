// ISTA / FISTA for (P2), instantiated for every scalar type.
#include "barriers/solvers/fista.hpp"

#include <stdexcept>

#include "barriers/solvers/prox.hpp"
#include "progress.hpp"

namespace barriers {

namespace {
template <class T>
SolverResult<T> proximal_gradient(const LinearOperator<T>& A, const Vector<T>& y, const FistaSettings<T>& s,
                                  bool accelerate) {
  using Real = real_of<T>;
  using std::max;
  using std::sqrt;
  detail::check_data(A, y);
  detail::check_weights<T>(s.weights, A.cols());
  detail::check_reference(s.reference, A.cols());
  detail::check_positive(s.lambda, "lambda");
  detail::check_nonnegative(s.tolerance, "the tolerance");
  if (s.observe_every < 1)
    throw std::invalid_argument("observe_every is " + std::to_string(s.observe_every) + "; it must be >= 1.");
  if (s.max_iterations < 1)
    throw std::invalid_argument("max_iterations is " + std::to_string(s.max_iterations) + "; it must be >= 1.");
  const Real L = s.norm_bound == 0 ? A.norm_bound() : s.norm_bound;
  detail::check_positive(L, "the operator norm bound L");
  const Eigen::Index N = A.cols();
  // grad ||A x - y||^2 = 2 A^*(A x - y) is Lipschitz with constant 2 L^2.
  const Real step = 1 / (2 * L * L);
  const Real scale = step * s.lambda;
  Vector<Real> thr = s.weights.size() == 0 ? Vector<Real>(Vector<Real>::Constant(N, scale))
                                            : Vector<Real>(s.weights * scale);
  auto objective = [&](const Vector<T>& x) {
    return sparse_objective(SparseProblem::p2_lasso, A, y, x, s.lambda, s.weights);
  };
  detail::Progress<T> progress(s.observer, s.reference);

  // Every buffer is sized in the first iteration and reused (no allocation after it).
  Vector<T> x = Vector<T>::Zero(N), point = x, x_new, r, g;
  Real t(1);
  SolverResult<T> result;
  long k = 0;
  for (k = 1; k <= s.max_iterations; ++k) {
    A.apply(point, r);
    r -= y;
    A.apply_adjoint(r, g);
    g = point - g * (2 * step);
    soft_threshold_into<T>(g, thr, x_new);
    if (!detail::finite_vector(x_new)) {
      result.reason = TerminationReason::non_finite;
      --k;
      break;
    }
    if (accelerate) {
      const Real t_new = (1 + sqrt(1 + 4 * t * t)) / 2;
      point = x_new + (x_new - x) * ((t - 1) / t_new);
      t = t_new;
    } else {
      point = x_new;
    }
    const Real moved = (x_new - x).norm();
    x.swap(x_new);
    if (k % s.observe_every == 0 && !progress.report(k, 0, x, objective)) {
      result.reason = TerminationReason::observer_stopped;
      break;
    }
    if (s.tolerance > 0 && x.norm() > 0 && moved <= s.tolerance * Real(x.norm())) {
      result.reason = TerminationReason::tolerance_reached;
      break;
    }
  }
  result.iterations = std::min(k, s.max_iterations);
  result.solution = x;
  result.objective = objective(x);
  result.feasibility_gap = Real(0);
  return result;
}
}  // namespace

template <class T>
SolverResult<T> fista(const LinearOperator<T>& A, const Vector<T>& y, const FistaSettings<T>& s) {
  return proximal_gradient(A, y, s, true);
}

template <class T>
SolverResult<T> ista(const LinearOperator<T>& A, const Vector<T>& y, const FistaSettings<T>& s) {
  return proximal_gradient(A, y, s, false);
}

#define BARRIERS_X(T)                                                                                 \
  template SolverResult<T> fista<T>(const LinearOperator<T>&, const Vector<T>&, const FistaSettings<T>&); \
  template SolverResult<T> ista<T>(const LinearOperator<T>&, const Vector<T>&, const FistaSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
