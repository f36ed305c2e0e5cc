// Objectives, feasibility and shared input validation for (P1)-(P3).
#include "barriers/solvers/sparse_problem.hpp"

#include <sstream>
#include <stdexcept>

#include "barriers/solvers/prox.hpp"
#include "barriers/solvers/solver_result.hpp"

namespace barriers {

std::string to_string(TerminationReason reason) {
  switch (reason) {
    case TerminationReason::max_iterations: return "max-iterations";
    case TerminationReason::tolerance_reached: return "tolerance-reached";
    case TerminationReason::observer_stopped: return "observer-stopped";
    case TerminationReason::non_finite: return "non-finite";
  }
  return "unknown";
}

std::string to_string(SparseProblem p) {
  switch (p) {
    case SparseProblem::p1_basis_pursuit: return "p1";
    case SparseProblem::p2_lasso: return "p2";
    case SparseProblem::p3_sqrt_lasso: return "p3";
  }
  return "unknown";
}

template <class T>
real_of<T> sparse_objective(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y,
                            const Vector<T>& x, const real_of<T>& lambda,
                            const Vector<real_of<T>>& w) {
  const real_of<T> l1 = weighted_l1_norm(x, w);
  if (p == SparseProblem::p1_basis_pursuit) return l1;
  const real_of<T> r = (A.forward(x) - y).norm();
  return p == SparseProblem::p2_lasso ? lambda * l1 + r * r : lambda * l1 + r;
}

template <class T>
real_of<T> feasibility_gap(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y,
                           const Vector<T>& x, const real_of<T>& eta) {
  if (p != SparseProblem::p1_basis_pursuit) return real_of<T>(0);
  const real_of<T> r = (A.forward(x) - y).norm() - eta;
  return r > 0 ? r : real_of<T>(0);
}

namespace detail {

template <class R>
std::string show(const R& value) {
  std::ostringstream s;
  s.precision(6);
  s << value;
  return s.str();
}

template <class T>
void check_data(const LinearOperator<T>& A, const Vector<T>& y) {
  if (y.size() != A.rows())
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " entries but A has " +
                                std::to_string(A.rows()) + " rows; they must match.");
  if (!all_finite(y)) throw std::invalid_argument("y has a NaN or infinite entry; all entries must be finite.");
}

template <class T>
void check_weights(const Vector<real_of<T>>& w, Eigen::Index n) {
  if (w.size() == 0) return;
  if (w.size() != n)
    throw std::invalid_argument("there are " + std::to_string(w.size()) + " weights for " + std::to_string(n) +
                                " unknowns; give one weight per unknown (or none).");
  for (Eigen::Index i = 0; i < w.size(); ++i)
    if (!is_finite_scalar(w(i)) || !(w(i) > 0))
      throw std::invalid_argument("weight " + std::to_string(i) + " is " + show(w(i)) +
                                  "; weights must be finite and > 0.");
}

template <class R>
void check_positive(const R& value, const char* name) {
  if (!is_finite_scalar(value) || !(value > 0))
    throw std::invalid_argument(std::string(name) + " is " + show(value) + "; it must be finite and > 0.");
}

template <class R>
void check_nonnegative(const R& value, const char* name) {
  if (!is_finite_scalar(value) || value < 0)
    throw std::invalid_argument(std::string(name) + " is " + show(value) + "; it must be finite and >= 0.");
}

template <class T>
void check_reference(const Vector<T>& reference, Eigen::Index n) {
  if (reference.size() == 0) return;
  if (reference.size() != n)
    throw std::invalid_argument("the reference has " + std::to_string(reference.size()) + " entries but x has " +
                                std::to_string(n) + "; they must match.");
  if (!all_finite(reference))
    throw std::invalid_argument("the reference has a NaN or infinite entry; all entries must be finite.");
}

template <class R>
void check_steps(const R& tau, const R& sigma, const R& L) {
  check_positive(tau, "tau");
  check_positive(sigma, "sigma");
  check_positive(L, "the operator norm bound L");
  const R product = tau * sigma * L * L;
  if (!(product < 1))
    throw std::invalid_argument("tau * sigma * L^2 is " + show(product) + "; the primal-dual steps need it < 1.");
}

}  // namespace detail

#define BARRIERS_X(T)                                                                         \
  template real_of<T> sparse_objective<T>(SparseProblem, const LinearOperator<T>&,           \
                                          const Vector<T>&, const Vector<T>&, const real_of<T>&, \
                                          const Vector<real_of<T>>&);                         \
  template real_of<T> feasibility_gap<T>(SparseProblem, const LinearOperator<T>&,            \
                                         const Vector<T>&, const Vector<T>&, const real_of<T>&); \
  template void detail::check_data<T>(const LinearOperator<T>&, const Vector<T>&);            \
  template void detail::check_weights<T>(const Vector<real_of<T>>&, Eigen::Index);            \
  template void detail::check_reference<T>(const Vector<T>&, Eigen::Index);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R)                                             \
  template void detail::check_positive<R>(const R&, const char*);    \
  template void detail::check_nonnegative<R>(const R&, const char*); \
  template void detail::check_steps<R>(const R&, const R&, const R&); \
  template std::string detail::show<R>(const R&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
