// Operator-norm estimates: a fast estimate and a certified upper bound.
//
// Step sizes of primal-dual methods need L >= ||A||_2; an underestimate can
// make them diverge. power_iteration gives a good estimate from below (use it
// to see how loose a bound is); certified_norm_bound gives a guaranteed upper
// bound for a dense matrix at the working precision.
#pragma once

#include <cstdint>

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

/// A certified upper bound on ||A||_2 for the stored matrix:
///   min( sqrt(||A||_1 ||A||_inf), ||A||_F ) * (1 + (k + 6) eps),
/// and, when the smaller Gram matrix G costs at most 1e7 multiply-adds (2e5
/// for float128 and MPFR), also
/// the Gershgorin bound sqrt(max_j sum_k |g_jk|) with its rounding error
/// added (see operators.cpp); exact up to rounding for A with orthogonal
/// rows or columns, or with a block structure like the Table-1 family's.
/// with eps the working epsilon and k = max(rows*cols, rows + cols).
/// Why it holds: ||A||_2^2 = rho(A^* A) <= ||A^* A||_1 <= ||A||_inf ||A||_1, and
/// ||A||_2 <= ||A||_F. Computing a sum of k non-negative terms in floating
/// point has relative error at most (k-1)u/(1-(k-1)u) with u = eps/2; a
/// modulus (complex) adds 2u, the product and the square root a few u more;
/// (k + 6) eps = 2(k + 6) u covers all of it while (k + 6) eps < 1/2, which
/// is checked (std::domain_error otherwise). Overflow/underflow are excluded
/// because the entries are checked finite and the result is finite.
template <class T>
real_of<T> certified_norm_bound(const Matrix<T>& A);

#define BARRIERS_X(T)                                                                  \
  extern template real_of<T> power_iteration<T>(const LinearOperator<T>&, int, std::uint64_t, \
                                                real_of<T>);                           \
  extern template real_of<T> certified_norm_bound<T>(const Matrix<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
