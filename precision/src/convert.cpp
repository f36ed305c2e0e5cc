#include "barriers/precision/convert.hpp"
#include "barriers/precision/traits.hpp"

#include <mpfi.h>
#include <mpfr.h>

#include <cmath>
#include <limits>
#include <string>

// MPFR declares these only for C, as _Float128; on x86-64 __float128 has the
// same representation and calling convention.
extern "C" {
int mpfr_set_float128(mpfr_ptr, __float128, mpfr_rnd_t);
__float128 mpfr_get_float128(mpfr_srcptr, mpfr_rnd_t);
}

namespace barriers {
namespace {

// RAII holder for a scratch mpfr_t.
struct Scratch {
  mpfr_t v;
  explicit Scratch(mpfr_prec_t p) { mpfr_init2(v, p); }
  ~Scratch() { mpfr_clear(v); }
};

// q in decimal scientific notation with 7 significant digits: the value
// stays readable whatever its size (a 10^400 would have 401 digits).
std::string short_text(const rational& q) {
  Scratch t(64);
  mpfr_set_q(t.v, q.backend().data(), MPFR_RNDN);
  char buf[64];
  mpfr_snprintf(buf, sizeof buf, "%.6Re", t.v);
  return buf;
}

// Round q to nearest-even in an IEEE binary format with p significand bits
// and exponent range [min_exp, max_exp] (std::numeric_limits convention,
// which matches MPFR's: x = m 2^e with 1/2 <= |m| < 1). Subnormals lose
// precision exactly as IEEE prescribes, with one rounding.
template <class T, class Get>
Rounded<T> ieee_from_rational(const rational& q, Get get) {
  using lim = std::numeric_limits<T>;
  const mpq_srcptr Q = q.backend().data();
  if (mpq_sgn(Q) == 0) return {T(0), true};

  Scratch t(64);
  mpfr_set_q(t.v, Q, MPFR_RNDZ);  // truncation keeps the exponent of q
  const long e = mpfr_get_exp(t.v);
  long prec = lim::digits;
  if (e < lim::min_exponent) prec -= lim::min_exponent - e;

  if (prec < 1) {
    // |q| < 2^(min_exponent - digits) = the least subnormal s. With prec == 0,
    // s/2 <= |q| < s: nearest is s, except the tie s/2 which goes to even (0).
    const bool up = prec == 0 && mpfr_cmp_si_2exp(t.v, mpq_sgn(Q), e - 1) != 0;
    T v = up ? lim::denorm_min() : T(0);
    if (mpq_sgn(Q) < 0) v = -v;
    return {v, false};
  }
  mpfr_set_prec(t.v, prec);
  const int inex = mpfr_set_q(t.v, Q, MPFR_RNDN);
  if (mpfr_get_exp(t.v) > lim::max_exponent)
    throw outside_type_range("value " + short_text(q) + " is outside the range of the working type " +
                             number_traits<T>::name() + " (|x| < 2^" + std::to_string(lim::max_exponent) + ")");
  return {get(t.v), inex == 0};
}

rational from_mpfr(mpfr_srcptr x) {
  if (!mpfr_number_p(x)) throw std::domain_error("cannot convert NaN or infinity to a rational");
  rational out;
  mpfr_get_q(out.backend().data(), x);
  return out;
}

}  // namespace

template <>
Rounded<float> from_rational<float>(const rational& q) {
  return ieee_from_rational<float>(q, [](mpfr_srcptr x) { return mpfr_get_flt(x, MPFR_RNDN); });
}
template <>
Rounded<double> from_rational<double>(const rational& q) {
  return ieee_from_rational<double>(q, [](mpfr_srcptr x) { return mpfr_get_d(x, MPFR_RNDN); });
}
template <>
Rounded<long double> from_rational<long double>(const rational& q) {
  return ieee_from_rational<long double>(q, [](mpfr_srcptr x) { return mpfr_get_ld(x, MPFR_RNDN); });
}
template <>
Rounded<float128> from_rational<float128>(const rational& q) {
  return ieee_from_rational<float128>(q, [](mpfr_srcptr x) { return float128(mpfr_get_float128(x, MPFR_RNDN)); });
}
template <>
Rounded<mpfr_real> from_rational<mpfr_real>(const rational& q) {
  mpfr_real out;  // takes the working precision in force
  const int inex = mpfr_set_q(out.backend().data(), q.backend().data(), MPFR_RNDN);
  if (mpfr_inf_p(out.backend().data()))
    throw outside_type_range("value " + short_text(q) + " is outside the range of the working type mpfr (|x| < 2^" +
                             std::to_string(mpfr_get_emax()) + ")");
  return {out, inex == 0};
}
template <>
Rounded<mpfi_interval> from_rational<mpfi_interval>(const rational& q) {
  mpfi_interval out;
  mpfi_set_q(out.backend().data(), q.backend().data());
  const bool point = mpfr_equal_p(&out.backend().data()->left, &out.backend().data()->right);
  return {out, point};
}
template <>
Rounded<rational> from_rational<rational>(const rational& q) {
  return {q, true};
}

template <>
rational to_rational<float>(const float& x) {
  return to_rational<double>(static_cast<double>(x));
}
template <>
rational to_rational<double>(const double& x) {
  if (!std::isfinite(x)) throw std::domain_error("cannot convert NaN or infinity to a rational");
  rational out;
  mpq_set_d(out.backend().data(), x);
  return out;
}
template <>
rational to_rational<long double>(const long double& x) {
  Scratch t(std::numeric_limits<long double>::digits);
  mpfr_set_ld(t.v, x, MPFR_RNDN);  // exact: same precision
  return from_mpfr(t.v);
}
template <>
rational to_rational<float128>(const float128& x) {
  Scratch t(std::numeric_limits<float128>::digits);
  mpfr_set_float128(t.v, x.backend().value(), MPFR_RNDN);
  return from_mpfr(t.v);
}
template <>
rational to_rational<mpfr_real>(const mpfr_real& x) {
  return from_mpfr(x.backend().data());
}
template <>
rational to_rational<rational>(const rational& x) {
  return x;
}

}  // namespace barriers
