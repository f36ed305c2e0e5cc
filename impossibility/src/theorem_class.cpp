#include "barriers/impossibility/theorem_class.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "barriers/impossibility/distance.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

namespace {

rational column_norm2(const oracle::RationalMatrix& A, std::size_t col) {
  rational s = 0;
  for (std::size_t r = 0; r < A.rows; ++r) s += A.real(r, col) * A.real(r, col) + A.imag(r, col) * A.imag(r, col);
  return s;
}

rational frobenius2(const oracle::RationalMatrix& A) {
  rational s = 0;
  for (std::size_t k = 0; k < A.size(); ++k) s += A.re[k] * A.re[k] + (A.is_complex() ? A.im[k] * A.im[k] : 0);
  return s;
}

// s_i - s_k > 2 r, decided exactly from s_i^2, s_k^2 and r (all rational):
// s_i > s_k + 2r  <=>  L = s_i^2 - s_k^2 - 4r^2 > 4 r s_k  <=>  L > 0 and L^2 > 16 r^2 s_k^2.
bool certainly_larger(const rational& si2, const rational& sk2, const rational& r) {
  const rational L = si2 - sk2 - 4 * r * r;
  return L > 0 && L * L > 16 * r * r * sk2;
}

// The family's minimiser entry t(a) for a largest head entry a (THEORY.md section 4).
double minimiser_entry(const FamilyParams& p, double a) {
  switch (p.problem) {
    case Problem::p3: return 1 / a;
    case Problem::p2: return (1 - p.lambda.convert_to<double>() / (2 * a)) / a;
    case Problem::p1: return (1 - p.eta.convert_to<double>()) / a;
  }
  throw std::logic_error("unknown problem");
}

// What one coarse answer shows: the scale, and b estimated from ||A_m||_F^2 =
// (1 + N2) ||a||^2 ~ (1 + N2) N1 b^2. The two scales' ||A||_F^2 differ by a
// factor 100; the threshold is their geometric mean, b_{K-1}^2 = 2 10^(2K-2) / 9
// times 10 (N1 (1 + N2)).
struct CoarseView {
  Scale scale;
  double b;
};

CoarseView look(const FamilyParams& base, const oracle::RationalMatrix& A) {
  const rational f2 = frobenius2(A);
  const rational cells = rational(long(base.N1 * (1 + base.N2)));
  const rational threshold = rational(2, 9) * rational(boost::multiprecision::pow(integer(10), unsigned(2 * base.K - 1))) * cells;
  return {f2 > threshold ? Scale::K : Scale::K_minus_1, std::sqrt((f2 / cells).convert_to<double>())};
}

std::vector<rational> centroid(const FamilyParams& base, double t) {
  std::vector<rational> x(base.N1 + base.N2, rational(0));
  const rational c = to_rational(t / double(base.N1));
  for (std::size_t i = 0; i < base.N1; ++i) x[i] = c;
  return x;
}

std::vector<rational> vertex(const FamilyParams& base, std::size_t j, double t) {
  std::vector<rational> x(base.N1 + base.N2, rational(0));
  x[j - 1] = to_rational(t);
  return x;
}

FamilyParams scale_params(const FamilyParams& base, Scale s) {
  FamilyParams p = base;
  if (s == Scale::K_minus_1) p.K = base.K - 1;
  return p;
}

std::size_t random_index(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 g(seed);
  return std::size_t(g() % n) + 1;  // n is tiny; the modulo bias is below 2^-50
}

}  // namespace

void validate_theorem_class(const FamilyParams& base) {
  base.validate();
  if (base.K < theorem_class_min_K)
    throw std::invalid_argument("K = " + std::to_string(base.K) +
                                " is too small for the theorem's class: allowed K >= 3 (parts 2 and 3 need K-1 and "
                                "K-2 digits)");
}

std::string ClassMember::name() const {
  const char* letter = scale == Scale::K ? "U" : "V";
  if (n == 0) return std::string(letter) + "(lim)";
  return std::string(letter) + "(" + std::to_string(j) + ", n=" + std::to_string(n) + ")";
}

FamilyParams member_family(const FamilyParams& base, Scale scale, long n) {
  FamilyParams p = scale_params(base, scale);
  p.n = n;
  return p;
}

Algorithm class_decider(const FamilyParams& base, long budget_bits, Fallback fallback) {
  validate_theorem_class(base);
  if (budget_bits < coarse_bits || budget_bits > oracle::max_query_bits)
    throw std::invalid_argument("budget = " + std::to_string(budget_bits) + " bits is out of range: allowed " +
                                std::to_string(coarse_bits) + ".." + std::to_string(oracle::max_query_bits));
  return [base, budget_bits, fallback](DataAccess& data, std::uint64_t seed) {
    Data d = data.query(coarse_bits);
    const CoarseView view = look(base, d.A);
    const FamilyParams p = scale_params(base, view.scale);
    if (view.scale == Scale::K) return centroid(p, minimiser_entry(p, view.b));
    for (long m = coarse_bits;; ++m) {
      if (m > coarse_bits) d = data.query(m);
      // Column i <= N1 of A is a_i times a unit vector, and column norms move by
      // at most ||A_m - A||_2 <= 2^-m: the access model's guarantee is all we use.
      const rational r = pow2(-m);
      std::vector<rational> s2(p.N1);
      for (std::size_t i = 0; i < p.N1; ++i) s2[i] = column_norm2(d.A, i);
      std::size_t best = 0;
      for (std::size_t i = 1; i < p.N1; ++i)
        if (s2[i] > s2[best]) best = i;
      bool decided = true;
      for (std::size_t k = 0; decided && k < p.N1; ++k)
        decided = k == best || certainly_larger(s2[best], s2[k], r);
      if (decided) return vertex(p, best + 1, minimiser_entry(p, std::sqrt(s2[best].convert_to<double>())));
      if (m >= budget_bits) {
        const double t = minimiser_entry(p, view.b);
        return fallback == Fallback::centroid ? centroid(p, t) : vertex(p, random_index(seed, p.N1), t);
      }
    }
  };
}

Algorithm one_shot_centroid(const FamilyParams& base) {
  validate_theorem_class(base);
  return [base](DataAccess& data, std::uint64_t) {
    const CoarseView view = look(base, data.query(coarse_bits).A);
    const FamilyParams p = scale_params(base, view.scale);
    return centroid(p, minimiser_entry(p, view.b));
  };
}

Algorithm random_vertex(const FamilyParams& base) {
  validate_theorem_class(base);
  return [base](DataAccess& data, std::uint64_t seed) {
    const CoarseView view = look(base, data.query(coarse_bits).A);
    const FamilyParams p = scale_params(base, view.scale);
    return vertex(p, random_index(seed, p.N1), minimiser_entry(p, view.b));
  };
}

MemberRun run_on_member(const FamilyParams& base, const ClassMember& member, const Algorithm& algorithm,
                        std::uint64_t seed) {
  validate_theorem_class(base);
  if (member.n < 0 || (member.n == 0 && member.scale != Scale::K))
    throw std::invalid_argument("member " + member.name() + " is not in the class: the limit exists at scale K only");
  MemberRun run;
  run.member = member;
  const long prec = distance_precision(base.K);
  if (member.n == 0) {
    const FamilyLimit lim = family_limit(member_family(base, Scale::K, 1));
    const oracle::Oracle o(lim.instance, {oracle::AnswerPolicy::nearest, seed});
    DataAccess d(o);
    const std::vector<rational> phi = algorithm(d, seed);
    run.queries = d.queries();
    run.max_bits_read = d.max_n_read();
    run.distance = {0, certified_distance(phi, lim.centre, prec).hi};
    return run;
  }
  const FamilyMember fm = family_member(member_family(base, member.scale, member.n), member.j);
  const oracle::Oracle o(fm.instance, {oracle::AnswerPolicy::nearest, seed});
  DataAccess d(o);
  const std::vector<rational> phi = algorithm(d, seed);
  run.queries = d.queries();
  run.max_bits_read = d.max_n_read();
  run.distance = certified_distance(phi, fm.minimiser, prec);
  return run;
}

ClassGameResult play_class_game(const FamilyParams& base, const Algorithm& algorithm, std::uint64_t seed) {
  validate_theorem_class(base);
  const FamilyLimit lim = family_limit(member_family(base, Scale::K, 1));
  const oracle::Oracle limit_oracle(lim.instance, {oracle::AnswerPolicy::nearest, seed});
  DataAccess dl(limit_oracle);
  algorithm(dl, seed);

  ClassGameResult r;
  r.limit_bits_read = dl.max_n_read();
  r.limit_queries = dl.queries();
  // Members at precision n are within 2^-(n+1) of the limit, and the limit's
  // nearest answers at m bits leave at least that much slack when n >= m + 2.
  r.member_n = std::max(r.limit_bits_read, 0L) + 2;
  const FamilyParams p = member_family(base, Scale::K, r.member_n);
  const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
  const oracle::Oracle o1(m1.instance, {oracle::AnswerPolicy::adversarial, seed}, lim.instance);
  const oracle::Oracle o2(m2.instance, {oracle::AnswerPolicy::adversarial, seed}, lim.instance);
  DataAccess d1(o1), d2(o2);
  const std::vector<rational> phi1 = algorithm(d1, seed), phi2 = algorithm(d2, seed);

  const long prec = distance_precision(base.K);
  r.ten_to_minus_K = ten_to_minus(base.K);
  r.separation = certified_separation(m1.minimiser, m2.minimiser, prec);
  r.world1 = {certified_distance(phi1, m1.minimiser, prec), d1.max_n_read(), d1.queries(), d1.all_from_other()};
  r.world2 = {certified_distance(phi2, m2.minimiser, prec), d2.max_n_read(), d2.queries(), d2.all_from_other()};
  r.identical_data = d1.same_data_as(dl) && d2.same_data_as(dl);
  return r;
}

SuccessEstimate estimate_class_success(const FamilyParams& base, const Algorithm& algorithm, std::size_t trials,
                                       std::uint64_t first_seed) {
  return tally_success(trials, first_seed, [&](std::uint64_t seed) {
    return trial_outcome(play_class_game(base, algorithm, seed));
  });
}

}  // namespace barriers::impossibility
