// Independent enclosures of DCT-II and DFT entries with MPFI (not Arb, which
// the oracle uses), for checking the oracle's certified bounds.
#pragma once

#include <mpfi.h>

#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::testing {

struct MpfiInterval {
  mpfi_t v;
  explicit MpfiInterval(mpfr_prec_t p) { mpfi_init2(v, p); }
  ~MpfiInterval() { mpfi_clear(v); }
  MpfiInterval(const MpfiInterval&) = delete;
  MpfiInterval& operator=(const MpfiInterval&) = delete;
};

/// Exact upper bound on |value - x| over x in the interval, squared.
inline rational squared_error_bound(const rational& value, const mpfi_t x) {
  rational lo, hi;
  mpfr_get_q(lo.backend().data(), &x->left);
  mpfr_get_q(hi.backend().data(), &x->right);
  const rational a = abs(value - lo), b = abs(hi - value);
  return a > b ? a * a : b * b;
}

/// sum over entries of the squared error bound of `answer` against the
/// exact DCT-II (dft = false) or unitary DFT (dft = true) of size n; with
/// column >= 0, `answer` is a single column compared with that column.
inline rational squared_frobenius_error(const oracle::RationalMatrix& answer, long n, bool dft, mpfr_prec_t prec,
                                        long column = -1) {
  MpfiInterval pi(prec), angle(prec), c(prec), s(prec), scale(prec);
  mpfi_const_pi(pi.v);
  rational sum = 0;
  for (long k = 0; k < n; ++k)
    for (long j = 0; j < n; ++j) {
      if (column >= 0 && j != column) continue;
      const long jj = column >= 0 ? 0 : j;  // where entry (k, j) sits in `answer`
      if (!dft) {
        // c_k cos(pi (2j+1) k / (2n))
        mpfi_mul_si(angle.v, pi.v, (2 * j + 1) * k);
        mpfi_div_si(angle.v, angle.v, 2 * n);
        mpfi_cos(c.v, angle.v);
        mpfi_set_si(scale.v, k == 0 ? 1 : 2);
        mpfi_div_si(scale.v, scale.v, n);
        mpfi_sqrt(scale.v, scale.v);
        mpfi_mul(c.v, c.v, scale.v);
        sum += squared_error_bound(answer.real(k, jj), c.v);
        sum += answer.imag(k, jj) * answer.imag(k, jj);
      } else {
        // (cos(2 pi jk/n) - i sin(2 pi jk/n)) / sqrt(n)
        mpfi_mul_si(angle.v, pi.v, 2 * j * k);
        mpfi_div_si(angle.v, angle.v, n);
        mpfi_set_si(scale.v, n);
        mpfi_sqrt(scale.v, scale.v);
        mpfi_cos(c.v, angle.v);
        mpfi_div(c.v, c.v, scale.v);
        mpfi_sin(s.v, angle.v);
        mpfi_neg(s.v, s.v);
        mpfi_div(s.v, s.v, scale.v);
        sum += squared_error_bound(answer.real(k, jj), c.v);
        sum += squared_error_bound(answer.imag(k, jj), s.v);
      }
    }
  return sum;
}

}  // namespace barriers::testing
