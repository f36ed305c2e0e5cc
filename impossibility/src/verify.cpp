#include "barriers/impossibility/verify.hpp"

#include <mpfr.h>

#include <algorithm>
#include <functional>
#include <string>

#include "barriers/impossibility/resources.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

using oracle::Enclosure;
using oracle::ExactMatrix;
using oracle::ExactScalar;
using oracle::Interval;

bool VerifyReport::all_pass() const {
  for (const auto& c : checks)
    if (!c.pass()) return false;
  return !checks.empty();
}

bool VerifyReport::all_decided() const {
  for (const auto& c : checks)
    if (c.decision == Decision::undecided) return false;
  return true;
}

long identity_tolerance_bits(const FamilyParams& p) { return p.n + 4 * p.K + 64; }
rational identity_tolerance(const FamilyParams& p) { return pow2(-identity_tolerance_bits(p)); }

namespace {

// Bits of 1/x for 0 < x <= 1, rounded up (from the sizes of numerator and denominator).
long inverse_bits(const rational& x) {
  const long den = long(msb(denominator(x))), num = long(msb(numerator(x)));
  return den - num + 1;
}

long bit_length(std::size_t v) {
  long b = 0;
  for (; v; v >>= 1) ++b;
  return b;
}

}  // namespace

PrecisionSchedule verify_precision(const FamilyParams& p) {
  // g = 2 A^*(A x - y) for P2: the residual lambda/(2 a_j) ~ lambda 10^-K is
  // the difference of entries of size 1, and A^* multiplies its error by
  // N 10^K; g / lambda must come out within the tolerance 2^-(n + 4K + 64):
  // n + 4K + 64 + 3.33 K + log2(1/lambda) + 2 log2(N) bits, with room.
  const long start = identity_tolerance_bits(p) + 4 * p.K + 64 + inverse_bits(p.lambda) +
                     2 * bit_length(p.N1 + p.N2 + 1);
  return {start, 8 * start};
}

double verify_memory_bytes(const FamilyParams& p, long bits) {
  return 3.5 * double(p.N2 + 1) * double(p.N1 + p.N2) * double(bits + 500);
}

std::string decimal_bound(const rational& q, bool up, int digits) {
  mpfr_t t;
  mpfr_init2(t, 128);
  mpfr_set_q(t, q.backend().data(), up ? MPFR_RNDU : MPFR_RNDD);
  char buf[128];
  mpfr_snprintf(buf, sizeof buf, up ? "%.*RUe" : "%.*RDe", digits - 1, t);
  mpfr_clear(t);
  return buf;
}

namespace {

std::string text(const Interval& i) {
  if (i.lo == i.hi) return i.lo.str();
  return "[" + decimal_bound(i.lo, false) + ", " + decimal_bound(i.hi, true) + "]";
}

// [lo, hi] of sqrt over an interval of non-negative numbers, as text.
std::string sqrt_text(const Interval& i) {
  auto root = [](const rational& q, bool up) {
    mpfr_t t;
    mpfr_init2(t, 128);
    mpfr_set_q(t, q.backend().data(), up ? MPFR_RNDU : MPFR_RNDD);
    mpfr_sqrt(t, t, up ? MPFR_RNDU : MPFR_RNDD);
    char buf[128];
    mpfr_snprintf(buf, sizeof buf, up ? "%.9RUe" : "%.9RDe", t);
    mpfr_clear(t);
    return std::string(buf);
  };
  return "[" + root(i.lo, false) + ", " + root(i.hi, true) + "]";
}

// Interval of the square of an interval.
Interval square(const Interval& i) {
  const rational a = i.lo * i.lo, b = i.hi * i.hi;
  const rational hi = a > b ? a : b;
  const rational lo = (i.lo <= 0 && i.hi >= 0) ? rational(0) : (a < b ? a : b);
  return {lo, hi};
}
// Interval of |x| for x in i.
Interval absolute(const Interval& i) {
  const rational a = abs(i.lo), b = abs(i.hi);
  const rational hi = a > b ? a : b;
  const rational lo = (i.lo <= 0 && i.hi >= 0) ? rational(0) : (a < b ? a : b);
  return {lo, hi};
}
// Interval of ||m||_F^2 from an enclosure.
Interval frobenius_squared(const Enclosure& e) {
  Interval s{0, 0};
  for (const auto* part : {&e.re, &e.im})
    for (const auto& i : *part) {
      const Interval q = square(i);
      s.lo += q.lo;
      s.hi += q.hi;
    }
  return s;
}

Check make(std::string name, std::string claim, std::string value, std::vector<CertifiedValue> values, Decision d,
           long prec) {
  return {std::move(name), std::move(claim), std::move(value), std::move(values), d, prec};
}

// cond(A A^*) = 1, shown as cond(A A^*) - 1 <= tau. Gershgorin bounds every
// eigenvalue of G = A A^* within [dmin - R, dmax + R]; every diagonal entry
// lies between the extreme eigenvalues, so cond >= max G_ii / min G_ii.
Check conditioning(const ExactMatrix& A, const std::string& label, const rational& tau, long tau_bits, long prec) {
  const Enclosure g = oracle::enclose(A * A.transpose(), prec);
  rational dmin_lo = -1, dmax_hi = 0, dmax_lo = 0, dmin_hi = -1, offsum = 0;
  for (std::size_t i = 0; i < g.rows; ++i) {
    rational row = 0;
    for (std::size_t k = 0; k < g.cols; ++k) {
      const Interval& e = g.re[i * g.cols + k];
      if (i == k) {
        if (dmin_lo < 0 || e.lo < dmin_lo) dmin_lo = e.lo;
        if (dmin_hi < 0 || e.hi < dmin_hi) dmin_hi = e.hi;
        if (e.hi > dmax_hi) dmax_hi = e.hi;
        if (e.lo > dmax_lo) dmax_lo = e.lo;
      } else {
        row += absolute(e).hi;
      }
    }
    if (row > offsum) offsum = row;
  }
  const bool bounded = dmin_lo > offsum;
  const rational lo = dmin_hi > 0 && dmax_lo > dmin_hi ? dmax_lo / dmin_hi - 1 : rational(0);
  Decision d = lo > tau ? Decision::no : Decision::undecided;
  Interval excess{lo, lo};
  std::string value = "cond(A A^*) - 1 unbounded by Gershgorin at this precision";
  if (bounded) {
    excess.hi = (dmax_hi + offsum) / (dmin_lo - offsum) - 1;
    d = less_equal(excess, tau);
    value = "cond(A A^*) - 1 in " + text(excess) + " <= 2^-" + std::to_string(tau_bits) + ", ||a||^2 in " +
            text({dmin_lo, dmax_hi});
  }
  return make("conditioning (" + label + ")",
              "cond(A A^*) = 1: A A^* = ||a||^2 I exactly by the block structure (D orthogonal)", value,
              {{"cond(A A^*) - 1", excess}, {"||a||^2", {dmin_lo, dmax_hi}}}, d, prec);
}

// The dual certificate of member m on its actual (mixed) data: g_j = -lambda
// on the support (within tau, relative), |g_i| < lambda strictly off it.
Check optimality(const FamilyParams& p, const FamilyMember& m, const rational& tau, long tau_bits, long prec) {
  const ExactMatrix& A = m.instance.A;
  const ExactMatrix& y = m.instance.y;
  const ExactMatrix r = A * m.minimiser - y;  // residual
  const ExactScalar lambda(p.lambda);
  const std::string tau_text = "2^-" + std::to_string(tau_bits);
  ExactMatrix g = A;
  std::string claim, extra;
  Decision extra_d = Decision::yes;
  std::vector<CertifiedValue> values;
  switch (p.problem) {
    case Problem::p3: {
      // 0 in lambda d||x||_1 + A^* w with ||w|| <= 1, w = -(lambda/(a_j c)) y (||y|| = c); residual 0.
      g = A.transpose() * ((ExactScalar(0) - lambda / (m.a_j * ExactScalar(m.c))) * y);
      const Interval wn = oracle::enclose(lambda / m.a_j, prec);
      const Interval rn = frobenius_squared(oracle::enclose(r, prec));
      extra_d = both(less_equal(wn, 1), less_equal(rn, tau));
      extra = "; ||w||_2 = lambda/a_j in " + text(wn) + " <= 1; ||Ax - y||_2^2 <= " + decimal_bound(rn.hi, true) +
              " <= " + tau_text + " (0 exactly: a_j t = c)";
      values = {{"||w||_2", wn}, {"||Ax - y||_2^2", rn}};
      claim = "x^j = (c/a_j) e_j minimises lambda||x||_1 + ||Ax - y||_2 uniquely";
      break;
    }
    case Problem::p2: {
      // 0 = lambda s + 2 A^*(Ax - y), |s_i| < 1 off the support.
      g = ExactScalar(2) * (A.transpose() * r);
      const Interval tj = oracle::enclose(m.t, prec);
      extra_d = greater(tj, 0);
      extra = "; t = (c - lambda/(2 a_j))/a_j in " + text(tj) + " > 0";
      values = {{"t", tj}};
      claim = "x^j = t e_j minimises lambda||x||_1 + ||Ax - y||_2^2 uniquely";
      break;
    }
    case Problem::p1: {
      // 0 in d||x||_1 + A^* v with v = -(1/(a_j c)) y a non-negative multiple of
      // the residual r = -(eta/c) y; the constraint ||Ax - y|| <= eta is met with
      // equality. (P1 has no lambda: g is scaled by lambda only to share the
      // test below, which is invariant under scaling.)
      g = lambda * (A.transpose() * ((ExactScalar(0) - ExactScalar(1) / (m.a_j * ExactScalar(m.c))) * y));
      const Interval rn = frobenius_squared(oracle::enclose(r, prec));
      const Interval gap = absolute({rn.lo - p.eta * p.eta, rn.hi - p.eta * p.eta});
      extra_d = less_equal(gap, tau);
      extra = "; | ||Ax - y||_2^2 - eta^2 | <= " + decimal_bound(gap.hi, true) + " <= " + tau_text +
              " (0 exactly: a_j t = c - eta)";
      values = {{"||Ax - y||_2^2 - eta^2", {rn.lo - p.eta * p.eta, rn.hi - p.eta * p.eta}}};
      claim = "x^j = ((c - eta)/a_j) e_j minimises ||x||_1 s.t. ||Ax - y||_2 <= eta uniquely";
      break;
    }
  }
  // g is a column of N1 + N2 entries.
  const Enclosure ge = oracle::enclose(g, prec);
  const rational& lam = p.lambda;
  const Interval gj = ge.re[m.j - 1];
  const Interval support{(gj.lo + lam) / lam, (gj.hi + lam) / lam};
  // margin = 1 - max_{i != j} |g_i| / lambda: > 0 proves strict complementarity.
  rational max_hi = 0, max_lo = 0;
  for (std::size_t i = 0; i < ge.re.size(); ++i) {
    if (i == m.j - 1) continue;
    const Interval a = absolute(ge.re[i]);
    if (a.hi > max_hi) max_hi = a.hi;
    if (a.lo > max_lo) max_lo = a.lo;
  }
  const Interval margin{1 - max_hi / lam, 1 - max_lo / lam};
  const Decision d = both(both(less_equal(absolute(support), tau), greater(margin, 0)), extra_d);
  values.insert(values.begin(), {{"g_j/lambda + 1", support}, {"1 - max_{i != j} |g_i|/lambda", margin}});
  return make("optimality (j=" + std::to_string(m.j) + ")",
              claim + " (dual certificate; strict off the support, so unique)",
              "certificate g_j/lambda + 1 in " + text(support) + " (|.| <= " + tau_text +
                  "), 1 - max off-support |g_i|/lambda in " + text(margin) + " > 0" + extra,
              std::move(values), d, prec);
}

// The checks that need both members j = 1, 2.
std::vector<Check> pair_checks(const FamilyParams& p, const rational& tau, long tau_bits, long prec) {
  std::vector<Check> out;
  const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
  out.push_back(conditioning(m1.instance.A, "j=1", tau, tau_bits, prec));
  out.push_back(conditioning(m2.instance.A, "j=2", tau, tau_bits, prec));

  // Agreement: ||A^1 - A^2||_2 <= ||A^1 - A^2||_F < 2^-n; the difference is
  // rank one, so both norms equal 2^-(n+1/2): an enclosure excluding that
  // value refutes the construction.
  {
    const Interval d2 = frobenius_squared(oracle::enclose(m1.instance.A - m2.instance.A, prec));
    const rational scale = pow2(2 * p.n);
    const Interval s{d2.lo * scale, d2.hi * scale};
    const rational half(1, 2);
    const Decision consistent = s.lo <= half && half <= s.hi ? Decision::yes : Decision::no;
    out.push_back(make("agreement of A",
                       "||A^1 - A^2||_2 = 2^-(n+1/2) < 2^-n: an oracle answer at precision n can be the same for both",
                       "||A^1 - A^2||_F^2 * 4^n in " + text(s) + " < 1 (exact value 1/2)",
                       {{"||A^1 - A^2||_F^2 4^n", s}}, both(less(s, 1), consistent), prec));
    const Interval y2 = frobenius_squared(oracle::enclose(m1.instance.y - m2.instance.y, prec));
    out.push_back(make("agreement of y", "y^1 = y^2 (y = D e_1 does not depend on j)",
                       "||y^1 - y^2||_2^2 <= " + decimal_bound(y2.hi, true) + " <= 2^-" + std::to_string(tau_bits),
                       {{"||y^1 - y^2||_2^2", y2}}, less_equal(y2, tau), prec));
  }

  // Separation of the stated minimisers, compared in squares (exact rationals).
  const Interval sep2 = frobenius_squared(oracle::enclose(m1.minimiser - m2.minimiser, prec));
  const rational ten_k = ten_to_minus(p.K), ten_k2 = ten_k * ten_k;
  out.push_back(make("separation", "||x^1 - x^2||_2 > 2 * 10^-K: no point is within 10^-K of both minimisers",
                     "||x^1 - x^2||_2 in " + sqrt_text(sep2) + " > 2*10^-" + std::to_string(p.K),
                     {{"||x^1 - x^2||_2^2", sep2}}, greater(sep2, 4 * ten_k2), prec));

  out.push_back(optimality(p, m1, tau, tau_bits, prec));
  out.push_back(optimality(p, m2, tau, tau_bits, prec));

  // K digits impossible, K - 1 attainable.
  out.push_back(make("K digits impossible",
                     "every output phi has max_j ||phi - x^j||_2 >= ||x^1 - x^2||/2 > 10^-K for the two "
                     "indistinguishable members",
                     "||x^1 - x^2||_2 / 2 in " + sqrt_text({sep2.lo / 4, sep2.hi / 4}) + " > 10^-" +
                         std::to_string(p.K),
                     {{"||x^1 - x^2||_2^2 / 4", {sep2.lo / 4, sep2.hi / 4}}}, greater(sep2, 4 * ten_k2), prec));
  out.push_back(make("K-1 digits attainable",
                     "outputting x^1 is within ||x^1 - x^2||_2 <= 10^-(K-1) of both minimisers",
                     "||x^1 - x^2||_2 in " + sqrt_text(sep2) + " <= 10^-" + std::to_string(p.K - 1),
                     {{"||x^1 - x^2||_2^2", sep2}}, less_equal(sep2, 100 * ten_k2), prec));

  // The mixing matrix is orthogonal (so it changes no minimiser).
  if (p.dct_mixing) {
    const ExactMatrix D = ExactMatrix::dct2(p.N2 + 1);
    const Enclosure e = oracle::enclose(D * D.transpose() - ExactMatrix::identity(p.N2 + 1), prec);
    rational w = 0;
    for (const auto& i : e.re) w = absolute(i).hi > w ? absolute(i).hi : w;
    out.push_back(make("DCT orthogonal",
                       "D D^T = I (orthonormal DCT-II), so ||D r|| = ||r|| and minimisers are unchanged",
                       "max |D D^T - I| <= " + decimal_bound(w, true) + " <= 2^-" + std::to_string(tau_bits),
                       {{"max |D D^T - I|", {0, w}}}, less_equal({0, w}, tau), prec));
  }
  return out;
}

// Ziv's loop over a whole list of checks: recompute at twice the precision
// while any check is undecided, keeping each check from the first attempt
// that decided it (certified intervals cannot decide the two ways).
VerifyReport run_checks(const FamilyParams& p, PrecisionSchedule s,
                        const std::function<std::vector<Check>(const rational&, long, long)>& attempt) {
  p.validate();
  const double memory = available_memory_bytes();
  check_resources("verify at " + std::to_string(s.start_bits) + " bits", verify_memory_bytes(p, s.start_bits), 0,
                  memory);
  while (memory > 0 && s.cap_bits > s.start_bits && verify_memory_bytes(p, s.cap_bits) > memory)
    s.cap_bits = std::max(s.start_bits, s.cap_bits / 2);
  VerifyReport report{p, {}, s, 0, identity_tolerance(p)};
  const long tau_bits = identity_tolerance_bits(p);
  decide_with_retry(
      [&](long bits) {
        std::vector<Check> now = attempt(report.tolerance, tau_bits, bits);
        report.precision_bits = bits;
        if (report.checks.empty()) report.checks = std::move(now);
        for (std::size_t k = 0; k < now.size(); ++k)
          if (report.checks[k].decision == Decision::undecided) report.checks[k] = std::move(now[k]);
        return report.all_decided() ? Decision::yes : Decision::undecided;
      },
      s);
  return report;
}

}  // namespace

VerifyReport verify_family(const FamilyParams& p, PrecisionSchedule s) {
  return run_checks(p, s, [&](const rational& tau, long tau_bits, long prec) {
    return pair_checks(p, tau, tau_bits, prec);
  });
}

VerifyReport verify_family(const FamilyParams& p) {
  p.validate();
  return verify_family(p, verify_precision(p));
}

VerifyReport verify_member(const FamilyParams& p, const FamilyMember& m) {
  return run_checks(p, verify_precision(p), [&](const rational& tau, long tau_bits, long prec) {
    return std::vector<Check>{conditioning(m.instance.A, "j=" + std::to_string(m.j), tau, tau_bits, prec),
                              optimality(p, m, tau, tau_bits, prec)};
  });
}

VerifyReport verify_member(const FamilyParams& p, std::size_t j) { return verify_member(p, family_member(p, j)); }

VerifyReport verify_limit(const FamilyParams& p) {
  const FamilyLimit lim = family_limit(p);
  return run_checks(p, verify_precision(p), [&](const rational& tau, long tau_bits, long prec) {
    return std::vector<Check>{conditioning(lim.instance.A, "limit", tau, tau_bits, prec)};
  });
}

}  // namespace barriers::impossibility
