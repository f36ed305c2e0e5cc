#include "barriers/impossibility/theorem_class.hpp"

#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "barriers/impossibility/distance.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

namespace {

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

// The scale shown by one coarse answer, and b estimated from ||A_m||_F^2 =
// (1 + N2) ||a||^2 ~ (1 + N2) N1 b^2. The two scales' ||A||_F^2 differ by a
// factor 100; the threshold is their geometric mean, b_{K-1}^2 = 2 10^(2K-2) / 9
// times 10 (N1 (1 + N2)).
std::pair<Scale, double> look(const FamilyParams& base, const oracle::RationalMatrix& A) {
  const rational f2 = frobenius2(A);
  const rational cells = rational(long(base.N1 * (1 + base.N2)));
  const rational threshold = rational(2, 9) * rational(boost::multiprecision::pow(integer(10), unsigned(2 * base.K - 1))) * cells;
  return {f2 > threshold ? Scale::K : Scale::K_minus_1, std::sqrt((f2 / cells).convert_to<double>())};
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

// A member's exact instance and minimiser (the limit: the simplex's centroid).
struct Built {
  oracle::Instance instance;
  oracle::ExactMatrix minimiser;
};

Built build_member(const FamilyParams& base, const ClassMember& m) {
  if (m.n == 0) {
    FamilyLimit lim = family_limit(member_family(base, m.scale, 1));
    return {std::move(lim.instance), std::move(lim.centre)};
  }
  FamilyMember fm = family_member(member_family(base, m.scale, m.n), m.j);
  return {std::move(fm.instance), std::move(fm.minimiser)};
}

}  // namespace

void validate_theorem_class(const FamilyParams& base) {
  base.validate();
  if (base.K < theorem_class_min_K)
    throw std::invalid_argument("K = " + std::to_string(base.K) +
                                " is too small for the theorem's class: allowed K >= 3 (parts 2 and 3 need K-1 and "
                                "K-2 digits)");
  if (base.N1 + base.N2 > theorem_class_max_size)
    throw std::invalid_argument("N1 + N2 = " + std::to_string(base.N1 + base.N2) +
                                " is too large for the theorem's class: allowed at most " +
                                std::to_string(theorem_class_max_size) +
                                " (every oracle query encloses the (1 + N2) x (N1 + N2) matrix; the games make "
                                "hundreds of them)");
}

std::string ClassMember::name() const {
  const char* letter = scale == Scale::K ? "U" : "V";
  if (n == 0) return std::string(letter) + "(lim)";
  return std::string(letter) + "(" + std::to_string(j) + ", n=" + std::to_string(n) + ")";
}

long member_n_for(const FamilyParams& base, long m) {
  // ||member - limit||_F^2 <= eps^2 (1 + 1.01 N2 / N1): Delta||a|| <= (eps / sqrt(N1)) (1 + eps / (2b))
  // and eps / (2b) < 0.003 since b > 47 at K - 1 >= 2. Ask for ||.||_F <= (2/3) 2^-m: with the
  // limit's own rounding error (at most 2^-m / 4) the answer stays below (11/12) 2^-m, a margin far
  // wider than the enclosures' widths. With eps = 2^-(n+1) the condition reads
  // 400 N1 4^(n+1-m) >= 9 (100 N1 + 101 N2).
  const long mm = std::max(m, 0L);
  const integer need = integer(9) * (100 * integer(base.N1) + 101 * integer(base.N2));
  long n = std::max(mm, 1L);
  while (400 * integer(base.N1) * boost::multiprecision::pow(integer(4), unsigned(n + 1 - mm)) < need) ++n;
  return n;
}

CoarseView coarse_view(const FamilyParams& base, DataAccess& data) {
  Data d = data.query(coarse_bits);
  const auto [scale, b] = look(base, d.A);
  const FamilyParams p = scale_params(base, scale);
  return {scale, p, minimiser_entry(p, b), std::move(d)};
}

std::vector<rational> class_centroid(const FamilyParams& p, double t) {
  std::vector<rational> x(p.N1 + p.N2, rational(0));
  const rational c = to_rational(t / double(p.N1));
  for (std::size_t i = 0; i < p.N1; ++i) x[i] = c;
  return x;
}

std::vector<rational> class_vertex(const FamilyParams& p, std::size_t j, double t) {
  std::vector<rational> x(p.N1 + p.N2, rational(0));
  x[j - 1] = to_rational(t);
  return x;
}

rational column_norm2(const oracle::RationalMatrix& A, std::size_t col) {
  rational s = 0;
  for (std::size_t r = 0; r < A.rows; ++r) s += A.real(r, col) * A.real(r, col) + A.imag(r, col) * A.imag(r, col);
  return s;
}

std::size_t certified_largest_column(const oracle::RationalMatrix& A, std::size_t N1, long m) {
  const rational r = pow2(-m);
  std::vector<rational> s2(N1);
  for (std::size_t i = 0; i < N1; ++i) s2[i] = column_norm2(A, i);
  std::size_t best = 0;
  for (std::size_t i = 1; i < N1; ++i)
    if (s2[i] > s2[best]) best = i;
  for (std::size_t k = 0; k < N1; ++k)
    if (k != best && !certainly_larger(s2[best], s2[k], r)) return 0;
  return best + 1;
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
    const CoarseView view = coarse_view(base, data);
    const FamilyParams& p = view.params;
    if (view.scale == Scale::K) return class_centroid(p, view.t);
    // Column i <= N1 of A is a_i times a unit vector, and column norms move by
    // at most ||A_m - A||_2 <= 2^-m: the access model's guarantee is all we use.
    for (long m = coarse_bits; m <= budget_bits; ++m) {
      const Data d = m == coarse_bits ? view.data : data.query(m);
      if (const std::size_t j = certified_largest_column(d.A, p.N1, m))
        return class_vertex(p, j, minimiser_entry(p, std::sqrt(column_norm2(d.A, j - 1).convert_to<double>())));
    }
    return fallback == Fallback::centroid ? class_centroid(p, view.t)
                                          : class_vertex(p, random_index(seed, p.N1), view.t);
  };
}

Algorithm one_shot_centroid(const FamilyParams& base) {
  validate_theorem_class(base);
  return [base](DataAccess& data, std::uint64_t) {
    const CoarseView view = coarse_view(base, data);
    return class_centroid(view.params, view.t);
  };
}

ClassMember adversary_for(const FamilyParams& base, const ClassMember& member) {
  if (member.scale == Scale::K) return member.n == 0 ? ClassMember{Scale::K, 1, 1} : ClassMember{Scale::K, 1, 0};
  return {Scale::K_minus_1, member.j % base.N1 + 1, member.n};
}

MemberRun run_on_member(const FamilyParams& base, const ClassMember& member, const Algorithm& algorithm,
                        std::uint64_t seed, oracle::AnswerPolicy policy) {
  validate_theorem_class(base);
  if (member.n < 0 || (member.n == 0 && member.scale != Scale::K))
    throw std::invalid_argument("member " + member.name() + " is not in the class: the limit exists at scale K only");
  const Built truth = build_member(base, member);
  std::optional<oracle::Instance> other;
  if (policy == oracle::AnswerPolicy::adversarial) other = build_member(base, adversary_for(base, member)).instance;
  const oracle::Oracle o(truth.instance, {policy, seed}, other);
  DataAccess d(o);
  const std::vector<rational> phi = algorithm(d, seed);
  MemberRun run;
  run.member = member;
  run.queries = d.queries();
  run.max_bits_read = d.max_n_read();
  run.distance = game_distance(phi, truth.minimiser, base.K);
  if (member.n == 0) run.distance.lo = 0;  // the centroid is one point of the minimiser set
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
  r.member_n = member_n_for(base, r.limit_bits_read);
  const FamilyParams p = member_family(base, Scale::K, r.member_n);
  const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
  const oracle::Oracle o1(m1.instance, {oracle::AnswerPolicy::adversarial, seed}, lim.instance);
  const oracle::Oracle o2(m2.instance, {oracle::AnswerPolicy::adversarial, seed}, lim.instance);
  DataAccess d1(o1), d2(o2);
  const std::vector<rational> phi1 = algorithm(d1, seed), phi2 = algorithm(d2, seed);

  r.ten_to_minus_K = ten_to_minus(base.K);
  r.separation = certified_separation(m1.minimiser, m2.minimiser, distance_precision(base.K));
  r.world1 = {game_distance(phi1, m1.minimiser, base.K), d1.max_n_read(), d1.queries(), d1.all_from_other()};
  r.world2 = {game_distance(phi2, m2.minimiser, base.K), d2.max_n_read(), d2.queries(), d2.all_from_other()};
  r.identical_data = d1.same_data_as(dl) && d2.same_data_as(dl);
  return r;
}

SuccessEstimate estimate_fixed_pair(const FamilyParams& base, const Algorithm& algorithm, long n,
                                    std::size_t trials, std::uint64_t first_seed) {
  validate_theorem_class(base);
  const FamilyLimit lim = family_limit(member_family(base, Scale::K, 1));
  const FamilyParams p = member_family(base, Scale::K, n);
  const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
  const oracle::Oracle o1(m1.instance, {oracle::AnswerPolicy::adversarial, 0}, lim.instance);
  const oracle::Oracle o2(m2.instance, {oracle::AnswerPolicy::adversarial, 0}, lim.instance);
  const rational tol = ten_to_minus(base.K);
  return tally_success(trials, first_seed, [&](std::uint64_t seed) {
    DataAccess d1(o1), d2(o2);
    const std::vector<rational> phi1 = algorithm(d1, seed), phi2 = algorithm(d2, seed);
    return TrialOutcome{game_distance(phi1, m1.minimiser, base.K).hi <= tol,
                        game_distance(phi2, m2.minimiser, base.K).hi <= tol, d1.same_data_as(d2)};
  });
}

long max_bits_on_limit(const FamilyParams& base, const Algorithm& algorithm, std::size_t trials,
                       std::uint64_t first_seed) {
  validate_theorem_class(base);
  const FamilyLimit lim = family_limit(member_family(base, Scale::K, 1));
  const oracle::Oracle o(lim.instance, {oracle::AnswerPolicy::nearest, 0});
  long most = -1;
  for (std::size_t t = 0; t < trials; ++t) {
    DataAccess d(o);
    algorithm(d, first_seed + t);
    most = std::max(most, d.max_n_read());
  }
  return most;
}

double DataNeedEstimate::worst_need_fraction() const {
  std::size_t fewest = trials;
  for (std::size_t q : quick_successes) fewest = std::min(fewest, q);
  return trials == 0 ? 0.0 : double(trials - fewest) / double(trials);
}

DataNeedEstimate estimate_data_need(const FamilyParams& base, const Algorithm& algorithm, long M,
                                    std::size_t trials, std::uint64_t first_seed) {
  validate_theorem_class(base);
  if (trials < 1) throw std::invalid_argument("the number of trials must be at least 1");
  DataNeedEstimate e;
  e.M = M;
  e.n = member_n_for(base, M);
  e.trials = trials;
  e.quick_successes.assign(base.N1, 0);
  e.read_beyond_M.assign(base.N1, 0);
  const FamilyLimit lim = family_limit(member_family(base, Scale::K_minus_1, 1));
  std::vector<FamilyMember> members;
  std::vector<oracle::Oracle> oracles;
  members.reserve(base.N1);
  oracles.reserve(base.N1);
  for (std::size_t j = 1; j <= base.N1; ++j) {
    members.push_back(family_member(member_family(base, Scale::K_minus_1, e.n), j));
    oracles.emplace_back(members.back().instance, oracle::OracleSettings{oracle::AnswerPolicy::adversarial, 0},
                         lim.instance);
  }
  const rational tol = ten_to_minus(base.K - 1);
  for (std::size_t t = 0; t < trials; ++t) {
    const std::uint64_t seed = first_seed + t;
    std::optional<DataAccess> first_within;  // the first run that read at most M bits
    std::size_t quick = 0;
    bool matched = true;
    for (std::size_t j = 0; j < base.N1; ++j) {
      DataAccess d(oracles[j]);
      const std::vector<rational> phi = algorithm(d, seed);
      if (d.max_n_read() > M) {
        ++e.read_beyond_M[j];
        continue;
      }
      if (!first_within) first_within.emplace(d);
      else matched = matched && d.same_data_as(*first_within);
      if (game_distance(phi, members[j].minimiser, base.K).hi <= tol) {
        ++e.quick_successes[j];
        ++quick;
      }
    }
    e.unmatched += !matched;
    e.contradictions += matched && quick > 1;
  }
  return e;
}

}  // namespace barriers::impossibility
