// One traits struct per scalar type: what generic code needs to know.
//
// number_traits<T> answers: the real type underneath, whether T is exact, an
// interval or complex, its precision in bits *now* (run-time precision types
// follow PrecisionGuard), its machine epsilon at that precision, and the name
// users type on the command line (--type).
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/precision/types.hpp"

namespace barriers {

template <class T>
struct number_traits;

namespace detail {
template <class T>
struct ieee_traits {
  using real_type = T;
  static constexpr bool is_exact = false;
  static constexpr bool is_interval = false;
  static constexpr bool is_complex = false;
  static constexpr bool runtime_precision = false;
  static unsigned precision_bits() { return std::numeric_limits<T>::digits; }
  static T epsilon() { return std::numeric_limits<T>::epsilon(); }
};
}  // namespace detail

template <>
struct number_traits<float> : detail::ieee_traits<float> {
  static std::string name() { return "float"; }
};
template <>
struct number_traits<double> : detail::ieee_traits<double> {
  static std::string name() { return "double"; }
};
template <>
struct number_traits<long double> : detail::ieee_traits<long double> {
  static std::string name() { return "long-double"; }
};
template <>
struct number_traits<float128> : detail::ieee_traits<float128> {
  static std::string name() { return "float128"; }
};

template <>
struct number_traits<mpfr_real> {
  using real_type = mpfr_real;
  static constexpr bool is_exact = false;
  static constexpr bool is_interval = false;
  static constexpr bool is_complex = false;
  static constexpr bool runtime_precision = true;
  static unsigned precision_bits() { return mpfr_working_bits(); }
  /// 2^(1-p): the gap between 1 and the next number at the current precision.
  static mpfr_real epsilon() { return ldexp(mpfr_real(1), 1 - int(precision_bits())); }
  static std::string name() { return "mpfr"; }
};

template <>
struct number_traits<mpfi_interval> {
  using real_type = mpfi_interval;
  static constexpr bool is_exact = false;
  static constexpr bool is_interval = true;
  static constexpr bool is_complex = false;
  static constexpr bool runtime_precision = true;
  static unsigned precision_bits() { return mpfi_working_bits(); }
  static mpfi_interval epsilon() { return ldexp(mpfi_interval(1), 1 - int(precision_bits())); }
  static std::string name() { return "mpfi"; }
};

template <>
struct number_traits<rational> {
  using real_type = rational;
  static constexpr bool is_exact = true;
  static constexpr bool is_interval = false;
  static constexpr bool is_complex = false;
  static constexpr bool runtime_precision = false;
  /// 0 stands for "unbounded": rational arithmetic never rounds.
  static unsigned precision_bits() { return 0; }
  static rational epsilon() { return rational(0); }
  static std::string name() { return "rational"; }
};

template <class R>
struct number_traits<std::complex<R>> : number_traits<R> {
  using real_type = R;
  static constexpr bool is_complex = true;
  static std::string name() { return "complex-" + number_traits<R>::name(); }
};

/// Name with the precision in force, e.g. "mpfr(257 bits)" or "double".
template <class T>
std::string describe_type() {
  using traits = number_traits<T>;
  if constexpr (traits::runtime_precision)
    return traits::name() + "(" + std::to_string(traits::precision_bits()) + " bits)";
  else
    return traits::name();
}

}  // namespace barriers
