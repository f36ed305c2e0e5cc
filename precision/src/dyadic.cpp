#include "barriers/precision/dyadic.hpp"

#include <gmp.h>

#include <stdexcept>

namespace barriers {

rational pow2(long e) {
  integer one(1);
  if (e >= 0) return rational(integer(one << static_cast<unsigned long>(e)));
  return rational(one, integer(one << static_cast<unsigned long>(-e)));
}

bool is_dyadic(const rational& q) {
  const mpz_srcptr den = mpq_denref(q.backend().data());
  // A power of two has exactly one set bit.
  return mpz_popcount(den) == 1;
}

long dyadic_fraction_bits(const rational& q) {
  if (!is_dyadic(q)) throw std::domain_error("dyadic_fraction_bits: value is not dyadic");
  return static_cast<long>(mpz_scan1(mpq_denref(q.backend().data()), 0));
}

long dyadic_significand_bits(const rational& q) {
  const mpz_srcptr num = mpq_numref(q.backend().data());
  if (mpz_sgn(num) == 0) return 0;
  // In lowest terms an odd denominator-free numerator: strip trailing zeros.
  const unsigned long tz = mpz_scan1(num, 0);
  return static_cast<long>(mpz_sizeinbase(num, 2) - tz);
}

rational round_to_dyadic(const rational& q, long frac_bits, Rounding mode) {
  // s = q * 2^frac_bits = a / b; round to an integer r, answer r / 2^frac_bits.
  mpq_t s;
  mpq_init(s);
  if (frac_bits >= 0)
    mpq_mul_2exp(s, q.backend().data(), static_cast<unsigned long>(frac_bits));
  else
    mpq_div_2exp(s, q.backend().data(), static_cast<unsigned long>(-frac_bits));
  mpz_t r, rem;
  mpz_init(r);
  mpz_init(rem);
  const mpz_srcptr a = mpq_numref(s), b = mpq_denref(s);
  switch (mode) {
    case Rounding::down: mpz_fdiv_q(r, a, b); break;
    case Rounding::up: mpz_cdiv_q(r, a, b); break;
    case Rounding::toward_zero: mpz_tdiv_q(r, a, b); break;
    case Rounding::nearest_even: {
      mpz_fdiv_qr(r, rem, a, b);  // a = r b + rem, 0 <= rem < b
      mpz_mul_2exp(rem, rem, 1);  // compare 2 rem with b
      const int c = mpz_cmp(rem, b);
      if (c > 0 || (c == 0 && mpz_odd_p(r))) mpz_add_ui(r, r, 1);
      break;
    }
  }
  rational out;
  mpq_set_z(out.backend().data(), r);
  if (frac_bits >= 0)
    mpq_div_2exp(out.backend().data(), out.backend().data(), static_cast<unsigned long>(frac_bits));
  else
    mpq_mul_2exp(out.backend().data(), out.backend().data(), static_cast<unsigned long>(-frac_bits));
  mpz_clear(r);
  mpz_clear(rem);
  mpq_clear(s);
  return out;
}

}  // namespace barriers
