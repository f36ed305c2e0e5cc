// Helpers for the imaging-operator tests: exact widening of working-precision
// vectors to MPFR (for high-precision references) and the adjoint identity
// with a tolerance derived from the operators' error bounds.
#pragma once

#include <vector>

#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/linear_operator.hpp"
#include "solver_test_support.hpp"

namespace barriers::test {

/// The exact values of v as rationals (real and imaginary parts).
template <class T>
std::vector<std::pair<rational, rational>> exact_values(const Vector<T>& v) {
  std::vector<std::pair<rational, rational>> out;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if constexpr (number_traits<T>::is_complex)
      out.emplace_back(to_rational(v(i).real()), to_rational(v(i).imag()));
    else
      out.emplace_back(to_rational(v(i)), rational(0));
  }
  return out;
}

/// Those values as complex MPFR numbers at the precision in force (exact
/// when it is wide enough, as in every use below).
inline Vector<std::complex<mpfr_real>> widen(const std::vector<std::pair<rational, rational>>& v) {
  Vector<std::complex<mpfr_real>> out(Eigen::Index(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i)
    out(Eigen::Index(i)) = std::complex<mpfr_real>(from_rational<mpfr_real>(v[i].first).value,
                                                   from_rational<mpfr_real>(v[i].second).value);
  return out;
}

/// The unit roundoff of T's real type at the precision in force.
template <class T>
real_of<T> unit_roundoff() {
  return number_traits<real_of<T>>::epsilon() / 2;
}

/// <A x, y> = <x, A^* y> for random x, y. With A_s the stored operator and
/// ||A_s z - A z|| <= delta ||z|| for both directions (delta from the
/// operator's error analysis), the two sides differ by at most
/// 2 delta (1 + delta) ||x|| ||y|| plus the rounding of the two inner
/// products, each <= sqrt2 gamma_{len+2} ||a|| ||b|| (a dot product of
/// length len with complex products; any summation order), with
/// ||A_s x|| <= (1 + delta) ||x||. The factor 2 on the rounding part is slack
/// for the evaluation of the tolerance itself.
template <class T>
void check_adjoint_identity(const LinearOperator<T>& A, real_of<T> delta, Gaussian& g, int trials = 3) {
  using R = real_of<T>;
  const R u = unit_roundoff<T>();
  for (int t = 0; t < trials; ++t) {
    const Vector<T> x = random_vector<T>(g, A.cols());
    const Vector<T> y = random_vector<T>(g, A.rows());
    const T lhs = A.forward(x).dot(y);
    const T rhs = x.dot(A.adjoint(y));
    const R len = R(std::max(A.rows(), A.cols()) + 2);
    const R tol = (2 * delta * (1 + delta) + 2 * R(1.5) * 2 * len * u * (1 + delta)) * R(x.norm()) * R(y.norm());
    CHECK(modulus(T(lhs - rhs)) <= tol);
  }
}

}  // namespace barriers::test
