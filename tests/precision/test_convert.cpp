#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/precision/traits.hpp"

using namespace barriers;

namespace {
// Random dyadic m / 2^k with |m| < 2^bits, from a seeded engine.
rational random_dyadic(std::mt19937_64& rng, unsigned bits, long k) {
  integer m = 0;
  for (unsigned done = 0; done < bits; done += 32) m = (m << 32) + integer(rng() & 0xffffffffu);
  m >>= (bits % 32 == 0 ? 0 : 32 - bits % 32);
  if (rng() & 1) m = -m;
  return rational(m) * pow2(-k);
}
}  // namespace

TEST_CASE_TEMPLATE("representable rationals convert exactly and round-trip", T, float, double,
                   long double, float128, mpfr_real) {
  PrecisionGuard g(300);
  const unsigned p = number_traits<T>::precision_bits();
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 200; ++i) {
    const rational q = random_dyadic(rng, p, long(rng() % 200) - 100);
    const Rounded<T> r = from_rational<T>(q);
    CHECK(r.exact);
    CHECK(to_rational(r.value) == q);
  }
}

TEST_CASE_TEMPLATE("non-representable rationals round to nearest", T, float, double, long double,
                   float128, mpfr_real) {
  PrecisionGuard g(150);
  const unsigned p = number_traits<T>::precision_bits();
  for (int den : {3, 5, 7, 10, 1000001}) {
    const rational q(1, den);
    const Rounded<T> r = from_rational<T>(q);
    CHECK_FALSE(r.exact);
    // 1/den lies in [2^-e, 2^(1-e)), where the spacing of T is 2^(1-e-p);
    // nearest rounding is within half a spacing.
    const rational err = abs(to_rational(r.value) - q);
    long e = 0;
    while (pow2(-e) > q) ++e;
    CHECK(err <= pow2(1 - e - long(p)) / 2);
  }
}

TEST_CASE_TEMPLATE("ties round to even", T, float, double, long double, float128, mpfr_real) {
  PrecisionGuard g(100);
  const long p = number_traits<T>::precision_bits();
  // 1 + 2^-p lies halfway between 1 and 1 + 2^(1-p): even is 1.
  CHECK(to_rational(from_rational<T>(1 + pow2(-p)).value) == rational(1));
  // 1 + 3 * 2^-p lies halfway between 1 + 2^(1-p) (odd) and 1 + 2^(2-p): up.
  CHECK(to_rational(from_rational<T>(1 + 3 * pow2(-p)).value) == 1 + pow2(2 - p));
}

TEST_CASE("double subnormals round once, as IEEE hardware does") {
  const rational s = pow2(-1074);  // least subnormal
  CHECK(from_rational<double>(s).exact);
  CHECK(from_rational<double>(s).value == std::numeric_limits<double>::denorm_min());
  CHECK(from_rational<double>(s / 2).value == 0.0);               // tie -> even (0)
  CHECK(from_rational<double>(3 * s / 4).value == std::numeric_limits<double>::denorm_min());
  CHECK(from_rational<double>(-3 * s / 4).value == -std::numeric_limits<double>::denorm_min());
  CHECK(from_rational<double>(s / 3).value == 0.0);
  CHECK(from_rational<double>(5 * s / 2).value == 2 * std::numeric_limits<double>::denorm_min());
  CHECK(from_rational<double>(7 * s / 2).value == 4 * std::numeric_limits<double>::denorm_min());
  // A rational just below the normal range rounds to the hardware's answer.
  const rational q = pow2(-1023) + rational(1, 3) * pow2(-1060);
  CHECK(from_rational<double>(q).value == std::ldexp(1.0, -1023) + std::ldexp(1.0, -1060) / 3);
}

TEST_CASE("overflow and non-finite values are rejected with a message") {
  CHECK_THROWS_AS(from_rational<float>(pow2(200)), std::overflow_error);
  CHECK_THROWS_AS(from_rational<double>(pow2(1024)), std::overflow_error);
  // An input error (exit 2 on the command line), whose message stays short
  // and readable however large the value: 10^400 as 1.000000e+400.
  integer big = 1;
  for (int k = 0; k < 400; ++k) big *= 10;
  CHECK_THROWS_AS(from_rational<double>(rational(big)), outside_type_range);
  try {
    (void)from_rational<long double>(rational(big) * rational(big) * rational(big) * rational(big) * rational(big) *
                                     rational(big) * rational(big) * rational(big) * rational(big) * rational(big) *
                                     rational(big) * rational(big) * rational(big));
    FAIL("10^5200 fits no long double");
  } catch (const outside_type_range& e) {
    const std::string what = e.what();
    CHECK(what.find("1.000000e+5200") != std::string::npos);
    CHECK(what.find("long-double (|x| < 2^16384)") != std::string::npos);
    CHECK(what.size() < 200);
  }
  CHECK(from_rational<double>(pow2(1023)).exact);
  CHECK_THROWS_AS(to_rational(std::numeric_limits<double>::quiet_NaN()), std::domain_error);
  CHECK_THROWS_AS(to_rational(std::numeric_limits<double>::infinity()), std::domain_error);
}

TEST_CASE("mpfr conversion follows the working precision") {
  const rational q(1, 3);
  PrecisionGuard lo(64);
  const mpfr_real a = from_rational<mpfr_real>(q).value;
  PrecisionGuard hi(512);
  const mpfr_real b = from_rational<mpfr_real>(q).value;
  CHECK(abs(to_rational(a) - q) <= pow2(-66));
  CHECK(abs(to_rational(a) - q) > pow2(-70));
  CHECK(abs(to_rational(b) - q) <= pow2(-(long)hi.bits() - 1));
}

TEST_CASE("mpfi conversion encloses the rational") {
  PrecisionGuard g(80);
  const Rounded<mpfi_interval> third = from_rational<mpfi_interval>(rational(1, 3));
  CHECK_FALSE(third.exact);
  rational lo, hi;
  mpfr_get_q(lo.backend().data(), &third.value.backend().data()->left);
  mpfr_get_q(hi.backend().data(), &third.value.backend().data()->right);
  CHECK(lo < rational(1, 3));
  CHECK(rational(1, 3) < hi);
  CHECK(hi - lo <= pow2(-81));
  CHECK(from_rational<mpfi_interval>(rational(3, 8)).exact);
}

TEST_CASE("complex conversion rounds each part") {
  const auto z = from_rational<double>(rational(1, 2), rational(1, 3));
  CHECK_FALSE(z.exact);
  CHECK(z.value.real() == 0.5);
  CHECK(z.value.imag() == 1.0 / 3.0);
  CHECK(from_rational<double>(rational(1, 2), rational(-3, 4)).exact);
}
