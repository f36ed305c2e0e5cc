// The three sparse-recovery problems of THEORY.md section 1 and their
// objectives.
//
//   (P1) min ||x||_{1,w}                     s.t. ||A x - y||_2 <= eta
//   (P2) min lambda ||x||_{1,w} + ||A x - y||_2^2
//   (P3) min lambda ||x||_{1,w} + ||A x - y||_2
// Kept in one place so that every solver reports the same objective and
// feasibility numbers for the same problem, and so that input validation
// (sizes, finiteness, lambda, eta) produces the same messages everywhere.
#pragma once

#include <string>

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

enum class SparseProblem { p1_basis_pursuit, p2_lasso, p3_sqrt_lasso };

/// "p1", "p2", "p3".
std::string to_string(SparseProblem p);

/// Objective of problem p at x (for P1: the weighted l1 norm; its constraint
/// is reported separately by feasibility_gap). Empty w means unit weights.
template <class T>
real_of<T> sparse_objective(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y,
                            const Vector<T>& x, const real_of<T>& lambda,
                            const Vector<real_of<T>>& w);

/// max(0, ||A x - y|| - eta) for P1; 0 for P2 and P3.
template <class T>
real_of<T> feasibility_gap(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y,
                           const Vector<T>& x, const real_of<T>& eta);

namespace detail {
/// Shared input checks; each throws std::invalid_argument with one sentence.
template <class T>
void check_data(const LinearOperator<T>& A, const Vector<T>& y);
template <class T>
void check_weights(const Vector<real_of<T>>& w, Eigen::Index n);
template <class R>
void check_positive(const R& value, const char* name);
template <class R>
void check_nonnegative(const R& value, const char* name);
template <class T>
void check_reference(const Vector<T>& reference, Eigen::Index n);
/// tau, sigma > 0 and tau sigma L^2 < 1.
template <class R>
void check_steps(const R& tau, const R& sigma, const R& L);
/// A number for messages: about 6 significant digits, any type.
template <class R>
std::string show(const R& value);
}  // namespace detail

#define BARRIERS_X(T)                                                                            \
  extern template real_of<T> sparse_objective<T>(SparseProblem, const LinearOperator<T>&,       \
                                                 const Vector<T>&, const Vector<T>&,             \
                                                 const real_of<T>&, const Vector<real_of<T>>&);  \
  extern template real_of<T> feasibility_gap<T>(SparseProblem, const LinearOperator<T>&,        \
                                                const Vector<T>&, const Vector<T>&,              \
                                                const real_of<T>&);                              \
  extern template void detail::check_data<T>(const LinearOperator<T>&, const Vector<T>&);        \
  extern template void detail::check_weights<T>(const Vector<real_of<T>>&, Eigen::Index);        \
  extern template void detail::check_reference<T>(const Vector<T>&, Eigen::Index);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R)                                                   \
  extern template void detail::check_positive<R>(const R&, const char*);    \
  extern template void detail::check_nonnegative<R>(const R&, const char*); \
  extern template void detail::check_steps<R>(const R&, const R&, const R&); \
  extern template std::string detail::show<R>(const R&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
