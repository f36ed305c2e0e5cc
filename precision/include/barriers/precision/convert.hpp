// Exact and correctly rounded conversions between rationals and working types.
//
// The oracle hands out exact dyadic rationals; algorithms run in some type T.
// from_rational<T> rounds once, to nearest with ties to even, at T's precision
// in force (IEEE subnormals handled as the hardware would), and says whether
// the value changed. to_rational<T> is exact: every finite binary floating
// point number is a dyadic rational.
#pragma once

#include <complex>
#include <stdexcept>

#include "barriers/precision/types.hpp"

namespace barriers {

template <class T>
struct Rounded {
  T value;
  bool exact;  ///< true when value equals the input exactly
};

/// A value too large for the working type. The values converted are input
/// data or oracle answers derived from them, so this is an input error: the
/// command line reports it with exit code 2 (it is still an
/// std::overflow_error for callers that name the offending option).
struct outside_type_range : std::overflow_error {
  using std::overflow_error::overflow_error;
};

/// q rounded to nearest (ties to even) in T. For mpfi_interval: the tightest
/// enclosure at the working precision (exact when it is a single point).
/// Throws outside_type_range, naming the value and the range, if |q|
/// exceeds T's range.
template <class T>
Rounded<T> from_rational(const rational& q);

/// The exact value of x. Throws std::domain_error for NaN or infinity.
/// Not defined for intervals (an interval is not one number).
template <class T>
rational to_rational(const T& x);

/// Complex counterparts: each part converted on its own.
template <class R>
Rounded<std::complex<R>> from_rational(const rational& re, const rational& im) {
  Rounded<R> a = from_rational<R>(re), b = from_rational<R>(im);
  return {std::complex<R>(a.value, b.value), a.exact && b.exact};
}

#define BARRIERS_CONVERT_DECLARE(T)                          \
  template <>                                               \
  Rounded<T> from_rational<T>(const rational& q);           \
  template <>                                               \
  rational to_rational<T>(const T& x);

BARRIERS_CONVERT_DECLARE(float)
BARRIERS_CONVERT_DECLARE(double)
BARRIERS_CONVERT_DECLARE(long double)
BARRIERS_CONVERT_DECLARE(float128)
BARRIERS_CONVERT_DECLARE(mpfr_real)
BARRIERS_CONVERT_DECLARE(rational)
#undef BARRIERS_CONVERT_DECLARE

template <>
Rounded<mpfi_interval> from_rational<mpfi_interval>(const rational& q);

}  // namespace barriers
