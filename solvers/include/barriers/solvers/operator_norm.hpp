// Operator-norm estimates: a fast estimate and a certified upper bound.
//
// Step sizes of primal-dual methods need L >= ||A||_2; an underestimate can
// make them diverge, an overestimate by a factor c makes every step c times
// too short. power_iteration gives a good estimate from below (use it to see
// how loose a bound is); certified_norm_bound gives a guaranteed upper bound
// for a dense matrix, normally within 1e-4 of ||A||_2 (docs/performance.md).
#pragma once

#include <cstdint>
#include <optional>

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

/// Estimate of ||A||_2 by power iteration on A^* A from a seeded random start:
/// sqrt of the Rayleigh quotient after `iterations` steps (stops early when it
/// changes by less than `rel_tol` relative; rel_tol = 0 means never). In exact
/// arithmetic it never exceeds ||A||_2. Throws std::invalid_argument for
/// iterations < 1.
template <class T>
real_of<T> power_iteration(const LinearOperator<T>& A, int iterations = 100,
                           std::uint64_t seed = 1, real_of<T> rel_tol = real_of<T>(0));

/// A certified upper bound on ||A||_2 for the stored matrix: the smaller of
/// gram_certified_norm_bound (when it certifies) and a_priori_norm_bound; the
/// latter is skipped when the Gram bound certifies and the matrix is too large
/// for its Gershgorin part (then it is near ||A||_2 only for special structure:
/// near rank-one, or non-negative with equal row and column sums).
/// Throws std::domain_error when neither gives a finite bound representable in
/// the working type.
template <class T>
real_of<T> certified_norm_bound(const Matrix<T>& A);

/// The tight bound: A is scaled by a power of two and rounded to double, a
/// Lanczos estimate theta of the top eigenvalue of the smaller Gram matrix G is
/// taken, and mu = theta (1 + t) is certified by a successful floating-point
/// Cholesky factorisation of mu I - G with every rounding (of the conversion,
/// of G and of the factorisation) bounded a priori (operator_norm.cpp has the
/// argument). The result exceeds ||A||_2 by about t / 2 relative, t = 1e-4
/// when theta is accurate. Empty when the certificate fails for every t tried,
/// when A is zero, or when forming G would cost more than 5e10 multiply-adds.
template <class T>
std::optional<real_of<T>> gram_certified_norm_bound(const Matrix<T>& A);

/// The cheap bound (O(rows cols) work, plus a Gram matrix when that costs at
/// most 1e7 multiply-adds, 2e5 for float128 and MPFR):
///   min( sqrt(||A||_1 ||A||_inf), ||A||_F, sqrt(Gershgorin(G)) ) * (1 + (k + 6) eps)
/// with eps the working epsilon and k = max(rows*cols, rows + cols); when some
/// entry is above 2^450 or below 2^-450 in modulus, computed on A scaled by a
/// power of two (so no square under- or overflows) with k + 8 for k + 6.
/// Why it holds: ||A||_2^2 = rho(A^* A) <= ||A^* A||_1 <= ||A||_inf ||A||_1,
/// ||A||_2 <= ||A||_F, and ||A||_2^2 = rho(G) <= max_j sum_k |g_jk|. Computing a
/// sum of k non-negative terms in floating point has relative error at most
/// (k-1)u/(1-(k-1)u) with u = eps/2; a modulus adds 2u, the product and the
/// square root a few u more, and underflow in scaled data one eps at most;
/// (k + 6) eps = 2(k + 6) u covers all of it (k + 8 with scaling) while the
/// margin is below 1/2, which is checked (std::domain_error otherwise). Exact up to rounding for A with
/// orthogonal rows or columns or a block structure like the Table-1 family's.
template <class T>
real_of<T> a_priori_norm_bound(const Matrix<T>& A);

namespace detail {
/// The certificate step of gram_certified_norm_bound, exposed for tests. G is
/// a real symmetric matrix (only its lower triangle is read) that differs from
/// an exact Gram matrix B B^T by at most `gram_error` in 2-norm. Returns b with
/// ||B||_2 <= b when the Cholesky factorisation of mu I - G succeeds in double
/// (b is about sqrt(mu)), and nothing when it fails.
std::optional<double> cholesky_norm_certificate(const Eigen::MatrixXd& G, double mu, double gram_error);
}  // namespace detail

#define BARRIERS_X(T)                                                                  \
  extern template real_of<T> power_iteration<T>(const LinearOperator<T>&, int, std::uint64_t, \
                                                real_of<T>);                           \
  extern template real_of<T> certified_norm_bound<T>(const Matrix<T>&);                \
  extern template std::optional<real_of<T>> gram_certified_norm_bound<T>(const Matrix<T>&); \
  extern template real_of<T> a_priori_norm_bound<T>(const Matrix<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
