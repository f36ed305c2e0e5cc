#include "barriers/impossibility/verify.hpp"

#include <mpfr.h>

#include <cstdio>
#include <functional>

#include "barriers/oracle/enclosure.hpp"
#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

using oracle::Enclosure;
using oracle::ExactMatrix;
using oracle::ExactScalar;
using oracle::Interval;

bool VerifyReport::all_pass() const {
  for (const auto& c : checks)
    if (!c.pass) return false;
  return !checks.empty();
}

namespace {

// A rational rounded outward to 10 significant digits, for printing.
std::string decimal(const rational& q, mpfr_rnd_t dir) {
  mpfr_t t;
  mpfr_init2(t, 64);
  mpfr_set_q(t, q.backend().data(), dir);
  char buf[64];
  mpfr_snprintf(buf, sizeof buf, dir == MPFR_RNDD ? "%.9RDe" : dir == MPFR_RNDU ? "%.9RUe" : "%.9RNe", t);
  mpfr_clear(t);
  return buf;
}
std::string text(const Interval& i) {
  if (i.lo == i.hi) return decimal(i.lo, MPFR_RNDN);
  return "[" + decimal(i.lo, MPFR_RNDD) + ", " + decimal(i.hi, MPFR_RNDU) + "]";
}
std::string upper_text(const rational& q) { return decimal(q, MPFR_RNDU); }

rational ten_pow(long k) {
  const rational t(boost::multiprecision::pow(integer(10), static_cast<unsigned>(k < 0 ? -k : k)));
  return k < 0 ? 1 / t : t;
}

// Interval of the square of an interval.
Interval square(const Interval& i) {
  const rational a = i.lo * i.lo, b = i.hi * i.hi;
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
rational max_abs(const Interval& i) { return abs(i.lo) > abs(i.hi) ? abs(i.lo) : abs(i.hi); }

struct Attempt {
  std::vector<Check> checks;
  bool decided = true;  // false: some interval straddles its threshold
};

// Records a decision that needs `certain` to be settled by the intervals.
void decide(Attempt& at, Check c, bool pass, bool certain) {
  c.pass = pass;
  at.decided = at.decided && certain;
  at.checks.push_back(std::move(c));
}

Attempt run(const FamilyParams& p, long prec) {
  Attempt at;
  const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
  const ExactMatrix& A1 = m1.instance.A;
  const ExactMatrix& A2 = m2.instance.A;
  // Identities that hold exactly by algebra are checked to this tolerance,
  // far below every quantity the theorem compares.
  const rational tau = pow2(-prec / 2);
  const std::string tau_text = "2^-" + std::to_string(prec / 2);

  // 1. Conditioning: A A^* = ||a||^2 I, so cond(A A^*) = 1.
  for (const FamilyMember* m : {&m1, &m2}) {
    const Enclosure g = oracle::enclose(m->instance.A * m->instance.A.transpose(), prec);
    rational dmin = -1, dmax = 0, offsum = 0;
    for (std::size_t i = 0; i < g.rows; ++i) {
      rational row = 0;
      for (std::size_t k = 0; k < g.cols; ++k) {
        const Interval& e = g.re[i * g.cols + k];
        if (i == k) {
          if (dmin < 0 || e.lo < dmin) dmin = e.lo;
          if (e.hi > dmax) dmax = e.hi;
        } else {
          row += max_abs(e);
        }
      }
      if (row > offsum) offsum = row;
    }
    // Gershgorin: every eigenvalue lies in [dmin - R, dmax + R].
    const bool ok = dmin > offsum;
    const rational cond_hi = ok ? (dmax + offsum) / (dmin - offsum) : rational(0);
    const bool pass = ok && cond_hi - 1 <= tau;
    decide(at,
           {"conditioning (j=" + std::to_string(m->j) + ")",
            "cond(A A^*) = 1: A A^* = ||a||^2 I exactly by the block structure (D orthogonal)",
            ok ? "cond(A A^*) in [1, 1 + " + upper_text(cond_hi - 1) + "], ||a||^2 in " + text({dmin, dmax}) : "undecided"},
           pass, ok);
  }

  // 2. Agreement: ||A^1 - A^2||_2 = 2^-(n+1/2) < 2^-n (rank one: equal to the
  //    Frobenius norm), and y^1 = y^2.
  {
    const Interval d2 = frobenius_squared(oracle::enclose(A1 - A2, prec));
    const rational target = pow2(-2 * p.n);
    const rational exact = pow2(-2 * p.n - 1);
    const bool contains = d2.lo <= exact && exact <= d2.hi;
    decide(at,
           {"agreement of A", "||A^1 - A^2||_2 = 2^-(n+1/2) < 2^-n: an oracle answer at precision n can be the same for both",
            "||A^1 - A^2||_2^2 * 4^n in " + text({d2.lo / target, d2.hi / target}) + " (exact value 1/2)"},
           d2.hi < target && contains, d2.hi < target || d2.lo >= target);
    const Interval y2 = frobenius_squared(oracle::enclose(m1.instance.y - m2.instance.y, prec));
    decide(at, {"agreement of y", "y^1 = y^2 (y = D e_1 does not depend on j)",
                "||y^1 - y^2||_2^2 <= " + upper_text(y2.hi)},
           y2.hi <= tau, true);
  }

  // 3. Separation of the minimisers: ||x^1 - x^2||_2 = sqrt(t1^2 + t2^2).
  const Interval sep2 = frobenius_squared(oracle::enclose(m1.minimiser - m2.minimiser, prec));
  const Interval sep = oracle::enclose(ExactScalar::sqrt(m1.t * m1.t + m2.t * m2.t), prec);
  const rational digits_k = ten_pow(-p.K);
  {
    const bool consistent = sep2.lo <= sep.hi * sep.hi && sep.lo * sep.lo <= sep2.hi;
    decide(at, {"separation", "||x^1 - x^2||_2 > 2 * 10^-K: no point is within 10^-K of both minimisers",
                "||x^1 - x^2||_2 in " + text(sep) + ", 2*10^-K = " + text({2 * digits_k, 2 * digits_k})},
           consistent && sep.lo > 2 * digits_k, sep.lo > 2 * digits_k || sep.hi <= 2 * digits_k);
  }

  // 4. Optimality and uniqueness of x^j for member j, from a dual
  //    certificate evaluated on the actual (mixed) data.
  for (const FamilyMember* m : {&m1, &m2}) {
    const ExactMatrix& A = m->instance.A;
    const ExactMatrix& y = m->instance.y;
    const ExactMatrix r = A * m->minimiser - y;  // residual
    const ExactScalar lambda(p.lambda);
    ExactMatrix g = A;  // the subgradient term that must equal -lambda sign(x) on the support
    std::string claim, extra;
    bool extra_ok = true, extra_certain = true;
    switch (p.problem) {
      case Problem::p3: {
        // 0 in lambda d||x||_1 + A^* w with ||w|| <= 1, w = -(lambda/a_j) y; residual 0.
        g = A.transpose() * ((ExactScalar(0) - lambda / m->a_j) * y);
        const Interval wn = oracle::enclose(lambda / m->a_j, prec);
        const Interval rn = frobenius_squared(oracle::enclose(r, prec));
        extra_ok = wn.hi <= 1 && rn.hi <= tau;
        extra_certain = wn.hi <= 1 || wn.lo > 1;
        extra = "; ||w||_2 = lambda/a_j in " + text(wn) + " <= 1; ||Ax - y||^2 <= " + upper_text(rn.hi) +
                " (0 exactly: a_j t = 1)";
        claim = "x^j = e_j/a_j minimises lambda||x||_1 + ||Ax - y||_2 uniquely";
        break;
      }
      case Problem::p2: {
        // 0 = lambda s + 2 A^*(Ax - y), |s_i| < 1 off the support.
        g = ExactScalar(2) * (A.transpose() * r);
        const Interval tj = oracle::enclose(m->t, prec);
        extra_ok = tj.lo > 0;
        extra = "; t = (1 - lambda/(2 a_j))/a_j in " + text(tj) + " > 0";
        claim = "x^j = t e_j minimises lambda||x||_1 + ||Ax - y||_2^2 uniquely";
        break;
      }
      case Problem::p1: {
        // 0 in d||x||_1 + A^* v with v = -(1/a_j) y a non-negative multiple of
        // the residual r = -eta y; the constraint ||Ax - y|| <= eta is met.
        // (P1 has no lambda: g is scaled by lambda only to share the test below.)
        g = ExactScalar(p.lambda) * (A.transpose() * ((ExactScalar(0) - ExactScalar(1) / m->a_j) * y));
        const Interval rn = frobenius_squared(oracle::enclose(r, prec));
        const rational eta2 = p.eta * p.eta;
        extra_ok = rn.lo <= eta2 + tau && rn.hi >= eta2 - tau && rn.hi <= eta2 + tau;
        extra = "; ||Ax - y||_2^2 in " + text(rn) + " (eta^2 = " + p.eta.str() + "^2 exactly: a_j t = 1 - eta)";
        claim = "x^j = (1 - eta) e_j/a_j minimises ||x||_1 s.t. ||Ax - y||_2 <= eta uniquely";
        break;
      }
    }
    // g is a column of N1 + N2 entries; check g_j = -lambda' and |g_i| < lambda' off the support,
    // where lambda' is lambda (p2, p3) or lambda scaled into g for p1.
    const Enclosure ge = oracle::enclose(g, prec);
    const rational lam = p.lambda;
    const Interval gj = ge.re[m->j - 1];
    rational off = 0;
    for (std::size_t i = 0; i < ge.re.size(); ++i)
      if (i != m->j - 1 && max_abs(ge.re[i]) > off) off = max_abs(ge.re[i]);
    const bool support_ok = abs(gj.lo + lam) <= tau && abs(gj.hi + lam) <= tau;
    const bool strict = off < lam;
    decide(at,
           {"optimality (j=" + std::to_string(m->j) + ")",
            claim + " (dual certificate; strict off the support, so unique)",
            "certificate g_j + lambda in " + text({gj.lo + lam, gj.hi + lam}) + ", max off-support |g_i|/lambda <= " +
                upper_text(off / lam) + " < 1" + extra},
           support_ok && strict && extra_ok, (strict || off >= lam) && extra_certain);
  }

  // 5. K digits impossible, K - 1 attainable.
  decide(at, {"K digits impossible",
              "every output phi has max_j ||phi - x^j||_2 >= ||x^1 - x^2||/2 > 10^-K for the two indistinguishable members",
              "||x^1 - x^2||_2 / 2 >= " + decimal(sep.lo / 2, MPFR_RNDD) + " > 10^-" + std::to_string(p.K)},
         sep.lo / 2 > digits_k, sep.lo / 2 > digits_k || sep.hi / 2 <= digits_k);
  decide(at, {"K-1 digits attainable",
              "outputting x^1 is within ||x^1 - x^2||_2 <= 10^-(K-1) of both minimisers",
              "||x^1 - x^2||_2 <= " + upper_text(sep.hi) + " <= 10^-" + std::to_string(p.K - 1)},
         sep.hi <= digits_k * 10, sep.hi <= digits_k * 10 || sep.lo > digits_k * 10);

  // 6. The mixing matrix is orthogonal (so it changes no minimiser).
  if (p.dct_mixing) {
    const ExactMatrix D = ExactMatrix::dct2(p.N2 + 1);
    const Enclosure e = oracle::enclose(D * D.transpose() - ExactMatrix::identity(p.N2 + 1), prec);
    rational w = 0;
    for (const auto& i : e.re) w = max_abs(i) > w ? max_abs(i) : w;
    decide(at, {"DCT orthogonal", "D D^T = I (orthonormal DCT-II), so ||D r|| = ||r|| and minimisers are unchanged",
                "max |D D^T - I| <= " + upper_text(w)},
           w <= tau, true);
  }
  return at;
}

}  // namespace

VerifyReport verify_family(const FamilyParams& params) {
  params.validate();
  // Enough bits to resolve 2^-n against entries of size 10^K, with room.
  long prec = params.n + 4 * params.K + 128;
  const long cap = 16 * prec;
  for (;;) {
    Attempt at = run(params, prec);
    if (at.decided || prec >= cap) return {params, std::move(at.checks), prec};
    prec *= 2;
  }
}

}  // namespace barriers::impossibility
