#include "barriers/oracle/enclosure.hpp"

#include <stdexcept>

#include "nodes.hpp"

namespace barriers::oracle {
namespace {

Interval ball_to_interval(const arb_t x) {
  detail::Fmpq mid, rad;
  arf_get_fmpq(mid.v, arb_midref(x));
  arf_t r;
  arf_init(r);
  arf_set_mag(r, arb_radref(x));
  arf_get_fmpq(rad.v, r);
  arf_clear(r);
  const rational m = mid.get(), d = rad.get();
  return {m - d, m + d};
}

}  // namespace

rational Enclosure::max_width() const {
  rational w = 0;
  for (const auto* part : {&re, &im})
    for (const auto& i : *part)
      if (i.hi - i.lo > w) w = i.hi - i.lo;
  return w;
}

rational Enclosure::max_abs() const {
  rational a = 0;
  for (const auto* part : {&re, &im})
    for (const auto& i : *part) {
      if (abs(i.lo) > a) a = abs(i.lo);
      if (abs(i.hi) > a) a = abs(i.hi);
    }
  return a;
}

Enclosure enclose(const ExactMatrix& m, long precision_bits) {
  Enclosure e;
  e.rows = m.rows();
  e.cols = m.cols();
  if (const auto q = m.exact_rational()) {
    e.exact = true;
    e.re.reserve(q->size());
    for (const auto& v : q->re) e.re.push_back({v, v});
    if (q->is_complex())
      for (const auto& v : q->im) e.im.push_back({v, v});
    return e;
  }
  e.precision_bits = precision_bits;
  detail::AcbMat out(slong(e.rows), slong(e.cols));
  m.node()->enclose(out.m, precision_bits);
  const bool cx = !m.is_real();
  e.re.reserve(e.rows * e.cols);
  if (cx) e.im.reserve(e.rows * e.cols);
  for (std::size_t i = 0; i < e.rows; ++i)
    for (std::size_t j = 0; j < e.cols; ++j) {
      const acb_srcptr z = acb_mat_entry(out.m, i, j);
      e.re.push_back(ball_to_interval(acb_realref(z)));
      if (cx) e.im.push_back(ball_to_interval(acb_imagref(z)));
    }
  return e;
}

Interval enclose(const ExactScalar& x, long precision_bits) {
  if (const auto q = x.exact_rational()) return {*q, *q};
  if (!x.is_real()) throw std::domain_error("enclose: the formula " + x.formula() + " is not real");
  detail::Acb z;
  x.node()->enclose(z.v, precision_bits);
  return ball_to_interval(acb_realref(z.v));
}

}  // namespace barriers::oracle
