// The number types barriers computes with, in one place.
//
// Every algorithm is templated on one of these. Multiprecision types use
// expression templates off (et_off): expression templates reorder
// operations and interact badly with Eigen's own expression machinery.
#pragma once

#include <complex>

#include <boost/multiprecision/float128.hpp>
#include <boost/multiprecision/gmp.hpp>
#include <boost/multiprecision/mpfi.hpp>
#include <boost/multiprecision/mpfr.hpp>

namespace barriers {

namespace mp = boost::multiprecision;

/// IEEE binary128 (113-bit significand), software-emulated via libquadmath.
using float128 = mp::float128;

/// MPFR real whose precision is chosen at run time (see PrecisionGuard).
using mpfr_real = mp::number<mp::mpfr_float_backend<0>, mp::et_off>;

/// MPFI interval with run-time precision: every operation returns an
/// enclosure of the exact result.
using mpfi_interval = mp::number<mp::mpfi_float_backend<0>, mp::et_off>;

/// Exact GMP rational and integer.
using rational = mp::number<mp::gmp_rational, mp::et_off>;
using integer = mp::number<mp::gmp_int, mp::et_off>;

/// Complex scalars are std::complex of a real type.
template <class Real>
using complex = std::complex<Real>;

}  // namespace barriers
