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

// The family's minimiser entry t(a, c) for a largest head entry a and y = c D e_1 (family.hpp).
double minimiser_entry(const FamilyParams& p, double a, double c) {
  switch (p.problem) {
    case Problem::p3: return c / a;
    case Problem::p2: return (c - p.lambda.convert_to<double>() / (2 * a)) / a;
    case Problem::p1: return (c - p.eta.convert_to<double>()) / a;
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

// ||y||_2 as read: c within 2^-m (D is orthonormal).
double y_norm(const oracle::RationalMatrix& y) { return std::sqrt(column_norm2(y, 0).convert_to<double>()); }

std::size_t random_index(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 g(seed);
  return std::size_t(g() % n) + 1;  // n is tiny; the modulo bias is below 2^-50
}

// A member's exact instance and minimiser (the limit: the simplex's centroid).
struct Built {
  oracle::Instance instance;
  oracle::ExactMatrix minimiser;
};

// Sample k of R of member m.
Built build_member(const FamilyParams& base, const ClassMember& m, std::size_t k, std::size_t R) {
  if (m.n == 0) {
    FamilyLimit lim = family_limit(sample_family(member_family(base, m.scale, 1), k, R));
    return {std::move(lim.instance), std::move(lim.centre)};
  }
  FamilyMember fm = family_member(sample_family(member_family(base, m.scale, m.n), k, R), m.j);
  return {std::move(fm.instance), std::move(fm.minimiser)};
}

// Interval hull bookkeeping over the samples: the sup and the inf over S of the distances.
void take_sup(oracle::Interval& sup, const oracle::Interval& d, bool first) {
  if (first || d.lo > sup.lo) sup.lo = d.lo;
  if (first || d.hi > sup.hi) sup.hi = d.hi;
}
void take_inf(oracle::Interval& inf, const oracle::Interval& d, bool first) {
  if (first || d.lo < inf.lo) inf.lo = d.lo;
  if (first || d.hi < inf.hi) inf.hi = d.hi;
}

}  // namespace

void validate_play(const PlaySettings& play) {
  if (play.samples < 1 || play.samples > max_samples)
    throw std::invalid_argument("samples R = " + std::to_string(play.samples) + " is out of range: allowed 1.." +
                                std::to_string(max_samples));
  if (play.distance_cap_bits != 0 && play.distance_cap_bits < 2)
    throw std::invalid_argument("distance precision cap " + std::to_string(play.distance_cap_bits) +
                                " bits is out of range: allowed 0 (default) or >= 2");
}

rational sample_scale(std::size_t k, std::size_t R) {
  if (k < 1 || k > R) throw std::invalid_argument("sample k = " + std::to_string(k) + " is out of range 1.." + std::to_string(R));
  return 1 + rational(long(k - 1), long(R));
}

FamilyParams sample_family(FamilyParams p, std::size_t k, std::size_t R) {
  p.y_scale = sample_scale(k, R);
  return p;
}

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
  return {scale, p, minimiser_entry(p, b, y_norm(d.y)), std::move(d)};
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
        return class_vertex(p, j,
                            minimiser_entry(p, std::sqrt(column_norm2(d.A, j - 1).convert_to<double>()), y_norm(d.y)));
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
                        std::uint64_t seed, oracle::AnswerPolicy policy, const PlaySettings& play) {
  validate_theorem_class(base);
  validate_play(play);
  if (member.n < 0 || (member.n == 0 && member.scale != Scale::K))
    throw std::invalid_argument("member " + member.name() + " is not in the class: the limit exists at scale K only");
  MemberRun run;
  run.member = member;
  for (std::size_t k = 1; k <= play.samples; ++k) {
    const Built truth = build_member(base, member, k, play.samples);
    std::optional<oracle::Instance> other;
    if (policy == oracle::AnswerPolicy::adversarial)
      other = build_member(base, adversary_for(base, member), k, play.samples).instance;
    const oracle::Oracle o(truth.instance, {policy, seed}, other);
    DataAccess d(o);
    const std::vector<rational> phi = algorithm(d, seed);
    run.queries += d.queries();
    run.max_bits_read = std::max(run.max_bits_read, d.max_n_read());
    GameDistance g = game_distance(phi, truth.minimiser, base.K, play.distance_cap_bits);
    if (member.n == 0) g.value.lo = 0;  // the centroid is one point of the minimiser set
    take_sup(run.distance, g.value, k == 1);
    take_inf(run.min_distance, g.value, k == 1);
    run.distance_bits = std::max(run.distance_bits, g.bits);
  }
  return run;
}

ClassGameResult play_class_game(const FamilyParams& base, const Algorithm& algorithm, std::uint64_t seed,
                                const PlaySettings& play) {
  validate_theorem_class(base);
  validate_play(play);
  const std::size_t R = play.samples;
  std::vector<FamilyLimit> lims;
  std::vector<oracle::Oracle> limit_oracles;
  std::vector<DataAccess> on_limit;
  lims.reserve(R);
  limit_oracles.reserve(R);
  on_limit.reserve(R);
  ClassGameResult r;
  for (std::size_t k = 1; k <= R; ++k) {
    lims.push_back(family_limit(sample_family(member_family(base, Scale::K, 1), k, R)));
    limit_oracles.emplace_back(lims.back().instance, oracle::OracleSettings{oracle::AnswerPolicy::nearest, seed});
    on_limit.emplace_back(limit_oracles.back());
    algorithm(on_limit.back(), seed);
    r.limit_bits_read = std::max(r.limit_bits_read, on_limit.back().max_n_read());
    r.limit_queries += on_limit.back().queries();
  }
  r.member_n = member_n_for(base, r.limit_bits_read);
  r.ten_to_minus_K = ten_to_minus(base.K);
  r.identical_data = true;
  for (std::size_t k = 1; k <= R; ++k) {
    const FamilyParams p = sample_family(member_family(base, Scale::K, r.member_n), k, R);
    const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
    const oracle::Oracle o1(m1.instance, {oracle::AnswerPolicy::adversarial, seed}, lims[k - 1].instance);
    const oracle::Oracle o2(m2.instance, {oracle::AnswerPolicy::adversarial, seed}, lims[k - 1].instance);
    DataAccess d1(o1), d2(o2);
    const std::vector<rational> phi1 = algorithm(d1, seed), phi2 = algorithm(d2, seed);
    const GameDistance e1 = game_distance(phi1, m1.minimiser, base.K, play.distance_cap_bits);
    const GameDistance e2 = game_distance(phi2, m2.minimiser, base.K, play.distance_cap_bits);
    const oracle::Interval sep = certified_separation(m1.minimiser, m2.minimiser, distance_precision(base.K));
    const bool first = k == 1;
    // The separation that matters is the smallest (sample 1, c = 1).
    take_inf(r.separation, sep, first);
    take_sup(r.world1.distance, e1.value, first);
    take_sup(r.world2.distance, e2.value, first);
    take_inf(r.min_distance1, e1.value, first);
    take_inf(r.min_distance2, e2.value, first);
    r.world1.distance_bits = std::max(r.world1.distance_bits, e1.bits);
    r.world2.distance_bits = std::max(r.world2.distance_bits, e2.bits);
    r.world1.max_n_read = std::max(r.world1.max_n_read, d1.max_n_read());
    r.world2.max_n_read = std::max(r.world2.max_n_read, d2.max_n_read());
    r.world1.queries += d1.queries();
    r.world2.queries += d2.queries();
    r.world1.adversary_answered_all = r.world1.adversary_answered_all && d1.all_from_other();
    r.world2.adversary_answered_all = r.world2.adversary_answered_all && d2.all_from_other();
    r.identical_data = r.identical_data && d1.same_data_as(on_limit[k - 1]) && d2.same_data_as(on_limit[k - 1]);
  }
  return r;
}

SuccessEstimate estimate_fixed_pair(const FamilyParams& base, const Algorithm& algorithm, long n,
                                    std::size_t trials, std::uint64_t first_seed, const PlaySettings& play) {
  validate_theorem_class(base);
  validate_play(play);
  struct Sample {
    FamilyLimit lim;
    FamilyMember m1, m2;
  };
  std::vector<Sample> samples;
  samples.reserve(play.samples);
  std::vector<oracle::Oracle> o1, o2;
  o1.reserve(play.samples);
  o2.reserve(play.samples);
  for (std::size_t k = 1; k <= play.samples; ++k) {
    const FamilyParams p = sample_family(member_family(base, Scale::K, n), k, play.samples);
    samples.push_back({family_limit(sample_family(member_family(base, Scale::K, 1), k, play.samples)),
                       family_member(p, 1), family_member(p, 2)});
    const oracle::OracleSettings adversarial{oracle::AnswerPolicy::adversarial, 0};
    o1.emplace_back(samples.back().m1.instance, adversarial, samples.back().lim.instance);
    o2.emplace_back(samples.back().m2.instance, adversarial, samples.back().lim.instance);
  }
  const rational tol = ten_to_minus(base.K);
  return tally_success(trials, first_seed, [&](std::uint64_t seed) {
    TrialOutcome out{Decision::yes, Decision::yes, true, 0};
    for (std::size_t k = 0; k < play.samples; ++k) {
      DataAccess d1(o1[k]), d2(o2[k]);
      const std::vector<rational> phi1 = algorithm(d1, seed), phi2 = algorithm(d2, seed);
      const GameDistance e1 = game_distance(phi1, samples[k].m1.minimiser, base.K, play.distance_cap_bits);
      const GameDistance e2 = game_distance(phi2, samples[k].m2.minimiser, base.K, play.distance_cap_bits);
      const Decision s1 = less_equal(e1.value, tol), s2 = less_equal(e2.value, tol);
      if (s1 == Decision::undecided) out.undecided_bits = std::max(out.undecided_bits, e1.bits);
      if (s2 == Decision::undecided) out.undecided_bits = std::max(out.undecided_bits, e2.bits);
      out.success1 = both(out.success1, s1);  // sup over S: every sample within tol
      out.success2 = both(out.success2, s2);
      out.identical_data = out.identical_data && d1.same_data_as(d2);
    }
    return out;
  });
}

long max_bits_on_limit(const FamilyParams& base, const Algorithm& algorithm, std::size_t trials,
                       std::uint64_t first_seed, const PlaySettings& play) {
  validate_theorem_class(base);
  validate_play(play);
  long most = -1;
  for (std::size_t k = 1; k <= play.samples; ++k) {
    const FamilyLimit lim = family_limit(sample_family(member_family(base, Scale::K, 1), k, play.samples));
    const oracle::Oracle o(lim.instance, {oracle::AnswerPolicy::nearest, 0});
    for (std::size_t t = 0; t < trials; ++t) {
      DataAccess d(o);
      algorithm(d, first_seed + t);
      most = std::max(most, d.max_n_read());
    }
  }
  return most;
}

double DataNeedEstimate::worst_need_fraction() const {
  std::size_t fewest = trials;
  for (std::size_t q : quick_successes) fewest = std::min(fewest, q);
  return trials == 0 ? 0.0 : double(trials - fewest) / double(trials);
}

DataNeedEstimate estimate_data_need(const FamilyParams& base, const Algorithm& algorithm, long M,
                                    std::size_t trials, std::uint64_t first_seed, const PlaySettings& play) {
  validate_theorem_class(base);
  validate_play(play);
  const std::size_t R = play.samples;
  if (trials < 1) throw std::invalid_argument("the number of trials must be at least 1");
  DataNeedEstimate e;
  e.M = M;
  e.n = member_n_for(base, M);
  e.trials = trials;
  e.quick_successes.assign(base.N1, 0);
  e.read_beyond_M.assign(base.N1, 0);
  // Member j's sample k sits at index (j - 1) R + (k - 1).
  std::vector<FamilyLimit> lims;
  std::vector<FamilyMember> members;
  std::vector<oracle::Oracle> oracles;
  lims.reserve(R);
  members.reserve(base.N1 * R);
  oracles.reserve(base.N1 * R);
  for (std::size_t k = 1; k <= R; ++k)
    lims.push_back(family_limit(sample_family(member_family(base, Scale::K_minus_1, 1), k, R)));
  for (std::size_t j = 1; j <= base.N1; ++j)
    for (std::size_t k = 1; k <= R; ++k) {
      members.push_back(family_member(sample_family(member_family(base, Scale::K_minus_1, e.n), k, R), j));
      oracles.emplace_back(members.back().instance, oracle::OracleSettings{oracle::AnswerPolicy::adversarial, 0},
                           lims[k - 1].instance);
    }
  const rational tol = ten_to_minus(base.K - 1);
  for (std::size_t t = 0; t < trials; ++t) {
    const std::uint64_t seed = first_seed + t;
    std::vector<DataAccess> first_within;  // per sample, the runs of the first member that read at most M bits
    std::size_t quick = 0;
    bool matched = true;
    for (std::size_t j = 0; j < base.N1; ++j) {
      std::vector<DataAccess> runs;
      runs.reserve(R);
      Decision success = Decision::yes;
      long bits = 0;
      bool beyond = false;
      for (std::size_t k = 0; k < R; ++k) {
        runs.emplace_back(oracles[j * R + k]);
        const std::vector<rational> phi = algorithm(runs.back(), seed);
        beyond = beyond || runs.back().max_n_read() > M;
        const GameDistance g = game_distance(phi, members[j * R + k].minimiser, base.K, play.distance_cap_bits);
        const Decision s = less_equal(g.value, tol);
        if (s == Decision::undecided) bits = std::max(bits, g.bits);
        success = both(success, s);  // sup over S: every sample within 10^-(K-1)
      }
      if (beyond) {
        ++e.read_beyond_M[j];
        continue;
      }
      if (first_within.empty()) first_within = std::move(runs);
      else
        for (std::size_t k = 0; k < R; ++k) matched = matched && runs[k].same_data_as(first_within[k]);
      if (success == Decision::undecided) {
        ++e.undecided;
        e.undecided_bits = std::max(e.undecided_bits, bits);
      } else if (success == Decision::yes) {
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
