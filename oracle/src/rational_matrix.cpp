#include "barriers/oracle/rational_matrix.hpp"

#include <mpfr.h>

#include <stdexcept>

#include "sqrt_upper.hpp"

namespace barriers::oracle {

rational sqrt_upper(const rational& s) {
  if (s < 0) throw std::domain_error("sqrt_upper: negative argument");
  mpfr_t t;
  mpfr_init2(t, 64);
  mpfr_set_q(t, s.backend().data(), MPFR_RNDU);  // t >= s
  mpfr_sqrt(t, t, MPFR_RNDU);                     // >= sqrt(t) >= sqrt(s)
  rational out;
  mpfr_get_q(out.backend().data(), t);
  mpfr_clear(t);
  return out;
}

rational frobenius_upper_bound(const RationalMatrix& m) {
  rational s = 0;
  for (const auto& v : m.re) s += v * v;
  for (const auto& v : m.im) s += v * v;
  return sqrt_upper(s);
}

RationalMatrix difference(const RationalMatrix& a, const RationalMatrix& b) {
  if (a.rows != b.rows || a.cols != b.cols)
    throw std::invalid_argument("difference: sizes " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
                                " and " + std::to_string(b.rows) + "x" + std::to_string(b.cols) + " differ");
  const bool cx = a.is_complex() || b.is_complex();
  RationalMatrix d(a.rows, a.cols, cx);
  for (std::size_t k = 0; k < d.size(); ++k) {
    d.re[k] = a.re[k] - b.re[k];
    if (cx) d.im[k] = (a.is_complex() ? a.im[k] : rational(0)) - (b.is_complex() ? b.im[k] : rational(0));
  }
  return d;
}

}  // namespace barriers::oracle
