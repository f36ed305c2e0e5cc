#include "barriers/impossibility/distance.hpp"

#include <stdexcept>
#include <string>

#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

using oracle::Enclosure;
using oracle::Interval;

Interval certified_distance(const std::vector<rational>& phi, const oracle::ExactMatrix& x, long prec) {
  if (phi.size() != x.rows())
    throw std::invalid_argument("the algorithm returned " + std::to_string(phi.size()) + " entries, expected " +
                                std::to_string(x.rows()));
  const Enclosure e = oracle::enclose(x, prec);
  rational lo = 0, hi = 0;
  for (std::size_t i = 0; i < phi.size(); ++i) {
    const rational a = phi[i] - e.re[i].hi, b = phi[i] - e.re[i].lo;  // phi - x ranges over [a, b]
    const rational m = abs(a) > abs(b) ? abs(a) : abs(b);
    hi += m * m;
    if (a > 0 || b < 0) {
      const rational n = abs(a) < abs(b) ? abs(a) : abs(b);
      lo += n * n;
    }
  }
  // Square roots rounded outward by a dyadic grid of 2^-(prec/2).
  const long g = prec / 2;
  auto root = [g](const rational& s, Rounding r) {
    // floor/ceil of sqrt(s) on the grid: bisection-free via integer sqrt of s 4^g.
    const rational scaled = s * pow2(2 * g);
    const integer num = numerator(scaled), den = denominator(scaled);
    integer q = num / den;  // floor(s 4^g)
    integer root = boost::multiprecision::sqrt(q);
    if (r == Rounding::up && root * root * den < num) root += 1;
    return rational(root) * pow2(-g);
  };
  return {root(lo, Rounding::down), root(hi, Rounding::up)};
}

oracle::Interval certified_separation(const oracle::ExactMatrix& x1, const oracle::ExactMatrix& x2,
                                      long precision_bits) {
  return certified_distance(std::vector<rational>(x1.rows(), rational(0)), x1 - x2, precision_bits);
}

}  // namespace barriers::impossibility
