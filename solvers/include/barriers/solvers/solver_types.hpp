// The scalar types the solvers are compiled for, and small scalar helpers.
//
// Every solver is a template on the scalar type T, which is real (double,
// long double, float128, mpfr_real) or std::complex of one of those. The
// templates are instantiated once, in solvers/src/*.cpp, for exactly the
// list below, and declared `extern template` in the public headers, so a
// user's translation unit never re-instantiates them. The helpers here are
// what generic code needs beyond number_traits: the modulus of a real or
// complex scalar and a finiteness test, written once so that no algorithm
// assumes T = double.
#pragma once

#include <complex>

#include "barriers/precision/eigen_support.hpp"
#include "barriers/precision/traits.hpp"
#include "barriers/precision/types.hpp"

/// X(T) for every real scalar type the solvers support.
#define BARRIERS_FOR_EACH_REAL(X) X(double) X(long double) X(::barriers::float128) X(::barriers::mpfr_real)
/// X(T) for every complex scalar type the solvers support.
#define BARRIERS_FOR_EACH_COMPLEX(X)                                                    \
  X(std::complex<double>) X(std::complex<long double>) X(std::complex<::barriers::float128>) \
  X(std::complex<::barriers::mpfr_real>)
/// X(T) for every scalar type, real and complex.
#define BARRIERS_FOR_EACH_SCALAR(X) BARRIERS_FOR_EACH_REAL(X) BARRIERS_FOR_EACH_COMPLEX(X)

namespace barriers {

/// The real type underneath T (T itself when T is real).
template <class T>
using real_of = typename number_traits<T>::real_type;

/// |x| as a real number; for complex x the modulus.
template <class T>
real_of<T> modulus(const T& x) {
  if constexpr (number_traits<T>::is_complex) {
    return std::abs(x);
  } else {
    using std::abs;
    return abs(x);
  }
}

/// True when x (both parts, for complex x) is neither NaN nor infinite.
template <class T>
bool is_finite_scalar(const T& x) {
  if constexpr (number_traits<T>::is_complex) {
    return is_finite_scalar(x.real()) && is_finite_scalar(x.imag());
  } else {
    using std::isfinite;
    using boost::multiprecision::isfinite;
    return static_cast<bool>(isfinite(x));
  }
}

/// True when every entry of v is finite.
template <class Derived>
bool all_finite(const Eigen::MatrixBase<Derived>& v) {
  for (Eigen::Index j = 0; j < v.cols(); ++j)
    for (Eigen::Index i = 0; i < v.rows(); ++i)
      if (!is_finite_scalar(v(i, j))) return false;
  return true;
}

/// The real part of <a, b> = sum conj(a_i) b_i: the real inner product that
/// makes C^N a real Hilbert space, which is what the proximal algorithms use.
template <class T>
real_of<T> real_inner(const Vector<T>& a, const Vector<T>& b) {
  if constexpr (number_traits<T>::is_complex)
    return a.dot(b).real();
  else
    return a.dot(b);
}

}  // namespace barriers
