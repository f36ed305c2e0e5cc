// The soft threshold against its definition, entry by entry, on the data
// where a shortcut in it could go wrong: entries within a few ulps of their
// threshold, squares that overflow or underflow (1e300, 1e-300, subnormal
// parts), t = 0, and non-finite entries. The decision |v_i| <= t_i is
// checked in exact rational arithmetic, the surviving values against
// (1 - t/|v|) v computed with MPFR far above the working precision.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "barriers/precision/convert.hpp"
#include "barriers/solvers/prox.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {

template <class R>
R pow2(int e) {
  using std::ldexp;
  return ldexp(R(1), e);
}

template <class R>
bool same_bits(const R& a, const R& b) {
  using std::isnan;
  using std::signbit;
  using boost::multiprecision::isnan;
  using boost::multiprecision::signbit;
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return a == b && bool(signbit(a)) == bool(signbit(b));
}

template <class T>
bool same_bits_scalar(const T& a, const T& b) {
  if constexpr (number_traits<T>::is_complex)
    return same_bits(a.real(), b.real()) && same_bits(a.imag(), b.imag());
  else
    return same_bits(a, b);
}

// What soft_threshold computed before the shortcut for complex IEEE entries
// (prox.cpp before this test): the type's own modulus (std::abs, i.e. hypot
// for complex double), zero iff !(|a| > t), else a (|a| - t) / |a|.
template <class T>
T soft_by_modulus(const T& a, const real_of<T>& t) {
  const real_of<T> m = modulus(a);
  if (!(m > t)) return T(0);
  return a * ((m - t) / m);
}

template <class T>
rational squared_modulus(const T& a) {
  using R = real_of<T>;
  if constexpr (number_traits<T>::is_complex) {
    const rational x = to_rational<R>(a.real()), y = to_rational<R>(a.imag());
    return x * x + y * y;
  } else {
    const rational x = to_rational<R>(a);
    return x * x;
  }
}

// Finite test entries and their thresholds, at the working precision.
template <class T>
void finite_cases(std::vector<T>& v, std::vector<real_of<T>>& t) {
  using R = real_of<T>;
  using std::cos;
  using std::sin;
  const R eps = number_traits<R>::epsilon();
  Gaussian g(91);
  auto entry = [](const R& re, const R& im) {
    if constexpr (number_traits<T>::is_complex)
      return T(re, im);
    else
      return T(re);
  };
  // Scales: 1; 2^±996 (about 1e±300: for double the squares over- and
  // underflow); 2^-530 and 2^520 (for double, squares subnormal or just
  // past the largest double); 2^-1060 (double: subnormal parts).
  for (const int e : {0, 996, -996, 520, -530, -1060}) {
    const R scale = pow2<R>(e);
    for (const double tb : {0.0, 0.3, 1.0, 2.5}) {
      for (int k = 0; k < 12; ++k) {
        v.push_back(random_scalar<T>(g) * scale);
        t.push_back(R(tb) * scale);
      }
    }
    // Entries at |v| = t (1 + d) for relative offsets d of a few ulps (many
    // phases each: rounding the parts moves |v| by about an ulp either way)
    // and of 2^-20 and 2^-10 (where subnormal squares lose their
    // precision), below and above. The two t0 are not short binary
    // fractions, so t0^2 rounds like the squares of the parts do (for
    // double at 2^-530 the second one's square rounds up).
    for (const double t0_unscaled : {0.7853981633974483, 0.5772156649015329}) {
      const R t0 = R(t0_unscaled) * scale;
      auto near = [&](const R& d, int phases) {
        const R r = t0 * (R(1) + d);
        for (int k = 0; k < phases; ++k) {
          const R phase(g());
          v.push_back(entry(r * cos(phase), r * sin(phase)));
          t.push_back(t0);
        }
        v.push_back(entry(r, R(0)));  // on an axis |v| = r exactly
        t.push_back(t0);
      };
      for (int k = -3; k <= 3; ++k) near(R(k) * eps, 64);
      for (const R& unit : {pow2<R>(-20), pow2<R>(-10)})
        for (int k = -24; k <= 24; ++k) near(R(k) * unit / 4, 4);
    }
    // Huge entries against small thresholds and the reverse.
    v.push_back(entry(R(3) * scale, R(-4) * scale));
    t.push_back(R(1));
    v.push_back(entry(R(1), R(1)));
    t.push_back(R(3) * scale);
  }
  // t = 0: every nonzero entry survives unchanged, zero stays zero.
  for (const R& x : {R(0), pow2<R>(-1074), R(1), pow2<R>(1000)}) {
    v.push_back(entry(x, -x));
    t.push_back(R(0));
  }
}

}  // namespace

TEST_CASE_TEMPLATE("soft-threshold: zero iff |v| <= t, survivors (1 - t/|v|) v, at extreme scales", T,
                   BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R eps = number_traits<R>::epsilon();
  std::vector<T> cases;
  std::vector<R> thresholds;
  finite_cases<T>(cases, thresholds);
  const Eigen::Index n = Eigen::Index(cases.size());
  const Vector<T> v = Eigen::Map<const Vector<T>>(cases.data(), n);
  const Vector<R> t = Eigen::Map<const Vector<R>>(thresholds.data(), n);
  const Vector<T> p = soft_threshold<T>(v, t);
  Vector<T> p_into;
  soft_threshold_into<T>(v, t, p_into);

  // A real modulus is exact, so the decision is exact. A complex one is the
  // type's std::abs, within a few ulps of |v| (hypot: 1 ulp; the generic
  // formula of libstdc++ for float128 and MPFR: about 4), so within 8 eps of
  // t either verdict is right, and everything outside that band is decided.
  const rational band = number_traits<T>::is_complex ? 8 * to_rational<R>(eps) : rational(0);
  // Survivors: |a| carries at most 4 u, (|a| - t) / |a| then at most 2 u
  // more relative to |a| (the subtraction is exact or rounded once, the
  // division once), and the product once more per part: 7 u < 4 eps of
  // |v|, plus, for IEEE types, one smallest subnormal per operation on
  // subnormal results.
  const unsigned ref_bits = 4 * (number_traits<R>::precision_bits() + 64);
  int zeros = 0, survivors = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(same_bits_scalar(p(i), p_into(i)));
    // Bit for bit what the modulus-first code computed.
    CHECK(same_bits_scalar(p(i), soft_by_modulus(v(i), t(i))));
    const rational v2 = squared_modulus(v(i)), tr = to_rational<R>(t(i));
    const rational below = tr * (1 - band), above = tr * (1 + band);
    if (v2 <= below * below) {
      ++zeros;
      CHECK(p(i) == T(0));
      continue;
    }
    if (p(i) == T(0) && v2 < above * above) continue;  // in the band: 0 is right too
    // Otherwise p(i) must be the survivor's value (a tiny survivor may
    // underflow to 0 within the tolerance).
    if (p(i) != T(0)) ++survivors;
    const rational pr = [&] {
      if constexpr (number_traits<T>::is_complex)
        return to_rational<R>(p(i).real());
      else
        return to_rational<R>(p(i));
    }();
    PrecisionGuard ref(ref_bits);
    using M = mpfr_real;
    const M abs_v = sqrt(from_rational<M>(v2).value);
    const M factor = 1 - from_rational<M>(tr).value / abs_v;
    M err2(0);
    if constexpr (number_traits<T>::is_complex) {
      const M dr = from_rational<M>(pr).value - factor * from_rational<M>(to_rational<R>(v(i).real())).value;
      const M di = from_rational<M>(to_rational<R>(p(i).imag())).value -
                   factor * from_rational<M>(to_rational<R>(v(i).imag())).value;
      err2 = dr * dr + di * di;
    } else {
      const M d = from_rational<M>(pr).value - factor * from_rational<M>(to_rational<R>(v(i))).value;
      err2 = d * d;
    }
    M tol = 4 * from_rational<M>(to_rational<R>(eps)).value * abs_v;
    if constexpr (std::numeric_limits<R>::is_iec559)
      tol += 8 * from_rational<M>(to_rational<R>(std::numeric_limits<R>::denorm_min())).value;
    CHECK(err2 <= tol * tol);
  }
  // The data reach both outcomes, many times.
  CHECK(zeros > 100);
  CHECK(survivors > 100);

  // The one-threshold form agrees entry by entry with the vector form.
  for (const R& t1 : {R(0), R(0.75), pow2<R>(-996) * R(0.75), pow2<R>(996) * R(0.75)}) {
    const Vector<T> q = soft_threshold<T>(v, t1);
    const Vector<T> q_ref = soft_threshold<T>(v, Vector<R>(Vector<R>::Constant(n, t1)));
    for (Eigen::Index i = 0; i < n; ++i) CHECK(same_bits_scalar(q(i), q_ref(i)));
  }
}

TEST_CASE_TEMPLATE("soft-threshold: NaN and infinite entries and thresholds as before", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R inf = std::numeric_limits<R>::infinity(), nan = std::numeric_limits<R>::quiet_NaN();
  std::vector<T> cases;
  std::vector<R> thresholds;
  for (const R& t : {R(0), R(1), pow2<R>(-996), pow2<R>(996), inf}) {
    for (const R& a : {R(0), R(2), pow2<R>(1000), -inf, inf, nan}) {
      for (const R& b : {R(0), R(-3), inf, nan}) {
        if constexpr (number_traits<T>::is_complex)
          cases.push_back(T(a, b));
        else
          cases.push_back(T(a + b));
        thresholds.push_back(t);
      }
    }
  }
  const Eigen::Index n = Eigen::Index(cases.size());
  const Vector<T> v = Eigen::Map<const Vector<T>>(cases.data(), n);
  const Vector<R> t = Eigen::Map<const Vector<R>>(thresholds.data(), n);
  const Vector<T> p = soft_threshold<T>(v, t);
  for (Eigen::Index i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(same_bits_scalar(p(i), soft_by_modulus(v(i), t(i))));
    // A NaN modulus fails |v| > t: such entries have always gone to 0.
    const R m = modulus(v(i));
    using std::isnan;
    using boost::multiprecision::isnan;
    if (isnan(m)) CHECK(p(i) == T(0));
    // A finite entry under an infinite threshold goes to 0.
    if (is_finite_scalar(v(i)) && !is_finite_scalar(t(i))) CHECK(p(i) == T(0));
  }
}
