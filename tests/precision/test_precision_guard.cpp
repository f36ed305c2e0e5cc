#include <doctest/doctest.h>

#include <stdexcept>

#include <boost/multiprecision/detail/digits.hpp>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/precision/traits.hpp"

using namespace barriers;

TEST_CASE("guard sets at least the requested bits and restores on exit") {
  const unsigned before_mpfr = mpfr_working_bits();
  const unsigned before_mpfi = mpfi_working_bits();
  for (unsigned bits : {2u, 24u, 53u, 64u, 113u, 128u, 256u, 1000u, 4096u}) {
    {
      PrecisionGuard g(bits);
      CHECK(g.bits() >= bits);
      CHECK(g.bits() == achievable_precision_bits(bits));
      CHECK(mpfr_working_bits() == g.bits());
      CHECK(mpfi_working_bits() == g.bits());
      // New values really carry that precision.
      mpfr_real x = 1;
      CHECK(mpfr_get_prec(x.backend().data()) == static_cast<mpfr_prec_t>(g.bits()));
      mpfi_interval y = 1;
      CHECK(mpfi_get_prec(y.backend().data()) == static_cast<mpfr_prec_t>(g.bits()));
    }
    CHECK(mpfr_working_bits() == before_mpfr);
    CHECK(mpfi_working_bits() == before_mpfi);
  }
}

TEST_CASE("achievable precision is the least one Boost can set") {
  for (unsigned bits = 2; bits < 600; ++bits) {
    const unsigned a = achievable_precision_bits(bits);
    CHECK(a >= bits);
    CHECK(a - bits < 5);  // Boost's digit steps are 3 or 4 bits wide
    CHECK(achievable_precision_bits(a) == a);
  }
}

// The documented reason for 256 -> 257 bits (precision_guard.hpp): no whole
// number of decimal digits maps to 256 bits under Boost's own conversion.
// This fails, and the guard can then set 256 exactly, if Boost changes it.
TEST_CASE("256 bits is not a precision Boost 1.74 can set, so the guard sets 257") {
  for (unsigned d = 1; d < 2000; ++d) {
    const auto bits = mp::detail::digits10_2_2(d);
    CHECK(bits != 256);
    CHECK(bits != 1024);
  }
  CHECK(achievable_precision_bits(256) == 257);
  CHECK(achievable_precision_bits(1024) == 1025);
  CHECK(achievable_precision_bits(128) == 128);
  CHECK(achievable_precision_bits(254) == 254);  // the largest 4-limb precision it can set
  PrecisionGuard g(256);
  mpfr_real x = 1;
  CHECK(mpfr_get_prec(x.backend().data()) == 257);
}

TEST_CASE("guards nest") {
  const unsigned outer_before = mpfr_working_bits();
  {
    PrecisionGuard a(300);
    {
      PrecisionGuard b(100);
      CHECK(mpfr_working_bits() == b.bits());
    }
    CHECK(mpfr_working_bits() == a.bits());
  }
  CHECK(mpfr_working_bits() == outer_before);
}

TEST_CASE("guard rejects out-of-range precision with a message naming it") {
  CHECK_THROWS_WITH_AS(PrecisionGuard(0), doctest::Contains("0 bits"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(PrecisionGuard(1), doctest::Contains("1 bits"), std::invalid_argument);
  CHECK_THROWS_AS(PrecisionGuard(max_precision_bits + 1), std::invalid_argument);
}

TEST_CASE("epsilon follows the working precision") {
  PrecisionGuard g(200);
  const mpfr_real eps = number_traits<mpfr_real>::epsilon();
  const mpfr_real one = 1;
  CHECK(one + eps != one);
  CHECK(one + eps / 2 == one);  // ties to even: 1 + eps/2 rounds back to 1
  CHECK(number_traits<double>::epsilon() == std::numeric_limits<double>::epsilon());
  CHECK(number_traits<float128>::precision_bits() == 113u);
  CHECK(number_traits<long double>::precision_bits() == 64u);
  CHECK(number_traits<rational>::is_exact);
  CHECK(number_traits<mpfi_interval>::is_interval);
  CHECK(number_traits<std::complex<double>>::is_complex);
  CHECK(describe_type<mpfr_real>() == "mpfr(" + std::to_string(g.bits()) + " bits)");
  CHECK(describe_type<std::complex<float128>>() == "complex-float128");
}
