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

/// |re + i im| for MPFR parts as sqrt(re^2 + im^2), each operation rounded
/// to out's precision (relative error below 2.5 u; MPFR's exponent range
/// leaves no overflow to guard against). scratch is a number to work in;
/// unlike mpfr_hypot, which makes three numbers per call, this makes none.
inline void mpfr_modulus(mpfr_ptr out, mpfr_srcptr re, mpfr_srcptr im, mpfr_ptr scratch) {
  mpfr_sqr(out, re, MPFR_RNDN);
  mpfr_sqr(scratch, im, MPFR_RNDN);
  mpfr_add(out, out, scratch, MPFR_RNDN);
  mpfr_sqrt(out, out, MPFR_RNDN);
}

/// |x| as a real number; for complex x the modulus (mpfr_modulus for
/// complex MPFR, std::abs otherwise).
template <class T>
real_of<T> modulus(const T& x) {
  if constexpr (number_traits<T>::is_complex && std::is_same_v<real_of<T>, mpfr_real>) {
    const mpfr_real* p = reinterpret_cast<const mpfr_real*>(&x);  // [re, im]; real() would copy
    mpfr_real m, q;
    mpfr_modulus(m.backend().data(), p[0].backend().data(), p[1].backend().data(), q.backend().data());
    return m;
  } else if constexpr (number_traits<T>::is_complex) {
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
    const real_of<T>* p = reinterpret_cast<const real_of<T>*>(&x);  // [re, im]; real() would copy
    return is_finite_scalar(p[0]) && is_finite_scalar(p[1]);
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
