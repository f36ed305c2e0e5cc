#include <doctest/doctest.h>

#include "barriers/precision/dyadic.hpp"

using namespace barriers;

TEST_CASE("pow2 and dyadic predicates") {
  CHECK(pow2(0) == 1);
  CHECK(pow2(10) == 1024);
  CHECK(pow2(-3) == rational(1, 8));
  CHECK(is_dyadic(rational(5, 16)));
  CHECK(is_dyadic(rational(-7)));
  CHECK_FALSE(is_dyadic(rational(1, 3)));
  CHECK_FALSE(is_dyadic(rational(1, 12)));
  CHECK(dyadic_fraction_bits(rational(5, 16)) == 4);
  CHECK(dyadic_fraction_bits(rational(6)) == 0);
  CHECK_THROWS_AS(dyadic_fraction_bits(rational(1, 3)), std::domain_error);
  CHECK(dyadic_significand_bits(rational(5, 16)) == 3);
  CHECK(dyadic_significand_bits(rational(96)) == 2);  // 96 = 3 * 2^5
  CHECK(dyadic_significand_bits(rational(0)) == 0);
}

TEST_CASE("rounding to a dyadic grid") {
  const rational third(1, 3);
  // 1/3 = 0.0101...b; with 4 fractional bits the neighbours are 5/16 and 6/16.
  CHECK(round_to_dyadic(third, 4) == rational(5, 16));
  CHECK(round_to_dyadic(third, 4, Rounding::down) == rational(5, 16));
  CHECK(round_to_dyadic(third, 4, Rounding::up) == rational(6, 16));
  CHECK(round_to_dyadic(-third, 4, Rounding::toward_zero) == rational(-5, 16));
  CHECK(round_to_dyadic(-third, 4, Rounding::down) == rational(-6, 16));
  // Ties go to the even neighbour.
  CHECK(round_to_dyadic(rational(3, 8), 2) == rational(2, 4));   // 1.5/4 -> 2/4
  CHECK(round_to_dyadic(rational(5, 8), 2) == rational(2, 4));   // 2.5/4 -> 2/4
  CHECK(round_to_dyadic(rational(-3, 8), 2) == rational(-2, 4));
  // Negative fractional bits round to multiples of 2^k.
  CHECK(round_to_dyadic(rational(37), -3) == rational(40));
  // Already on the grid: unchanged.
  CHECK(round_to_dyadic(rational(7, 32), 5) == rational(7, 32));
  // The error is at most half a grid step, for many rationals and grids.
  for (int num = -50; num <= 50; ++num)
    for (int den = 1; den <= 20; ++den)
      for (long f = -2; f <= 12; ++f) {
        const rational q(num, den);
        const rational r = round_to_dyadic(q, f);
        CHECK(abs(r - q) <= pow2(-f) / 2);
        CHECK(is_dyadic(r));
        if (r != 0) CHECK(dyadic_fraction_bits(r) <= std::max(f, 0L));
      }
}
