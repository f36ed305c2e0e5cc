#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "barriers/impossibility/distance.hpp"
#include "barriers/impossibility/randomised_algorithms.hpp"
#include "barriers/impossibility/theorem_class.hpp"
#include "barriers/impossibility/verify.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"
#include "sanitize_profile.hpp"

using namespace barriers;
using namespace barriers::impossibility;

namespace {

// `make sanitize` (BARRIERS_SANITIZE_PROFILE=1, 10-20 times slower) plays the same cases with fewer
// seeds, precisions and sizes; the Release run plays all of them.
const bool small = barriers::test::sanitize_profile();

FamilyParams base_params(Problem problem, long K) {
  FamilyParams p;
  p.problem = problem;
  p.K = K;
  return p;
}

// An algorithm that would beat the fixed-n game of Table 1: it reads 64 bits,
// far beyond the n of any member it could be asked about there, and returns
// t e_i at the largest column norm of the head (exact ties: the first).
Algorithm reads_64_bits(const FamilyParams& base) {
  return [base](DataAccess& data, std::uint64_t) {
    const oracle::RationalMatrix A = data.query(64).A;
    std::vector<rational> s2(base.N1, rational(0));
    for (std::size_t i = 0; i < base.N1; ++i)
      for (std::size_t r = 0; r < A.rows; ++r) s2[i] += A.real(r, i) * A.real(r, i);
    std::size_t best = 0;
    for (std::size_t i = 1; i < base.N1; ++i)
      if (s2[i] > s2[best]) best = i;
    std::vector<rational> x(A.cols, rational(0));
    x[best] = to_rational(1 / std::sqrt(s2[best].convert_to<double>()));
    return x;
  };
}

}  // namespace

TEST_CASE("part 1 on the class: an algorithm that halts on the limit is fooled on U(1, n), U(2, n)") {
  for (Problem problem : {Problem::p1, Problem::p2, Problem::p3})
    for (long K : {3L, 6L}) {
      const FamilyParams base = base_params(problem, K);
      for (const auto& [name, alg] : {std::pair<const char*, Algorithm>{"decider", class_decider(base, 40)},
                                      {"one-shot", one_shot_centroid(base)},
                                      {"reads 64 bits", reads_64_bits(base)}}) {
        CAPTURE(to_string(problem));
        CAPTURE(K);
        CAPTURE(name);
        const ClassGameResult g = play_class_game(base, alg);
        CHECK(g.member_n == member_n_for(base, g.limit_bits_read));
        CHECK(g.member_n == g.limit_bits_read + 2);  // the default N1 = 2, N2 = 20
        CHECK(g.identical_data);
        CHECK(g.world1.adversary_answered_all);
        CHECK(g.world2.adversary_answered_all);
        // Same output on both members, so the larger distance is at least half the separation.
        CHECK(g.worst_distance_lower() * 2 >= g.separation.lo);
        CHECK(g.failed_K_digits());
      }
    }
}

TEST_CASE("part 1 on the class for long tails: the fooled pair moves out with N2") {
  // The oracle certifies answers in the Frobenius norm, and a member differs from the limit by
  // about eps sqrt(1 + N2/N1) there. With n = m + 2 regardless of N2 the adversary could not
  // answer U(1, n) with U(lim)'s bits once N2 >~ 120 (barriers theorem --N2 150 said
  // "identical data: no").
  for (std::size_t N2 : {std::size_t(150)}) {
    FamilyParams base = base_params(Problem::p3, 3);
    base.N2 = N2;
    CAPTURE(N2);
    const ClassGameResult g = play_class_game(base, one_shot_centroid(base));
    CHECK(g.member_n > g.limit_bits_read + 2);
    CHECK(g.world1.adversary_answered_all);
    CHECK(g.world2.adversary_answered_all);
    CHECK(g.identical_data);
    CHECK(g.failed_K_digits());
  }
}

TEST_CASE("member_n_for: the limit's bits at every m are certified legitimate for members at that n") {
  // The property behind part 1, straight from the oracle, across the documented range of N1, N2
  // (the largest size once, at m = 4: its queries dominate the run time).
  struct Case {
    std::size_t N1, N2;
    long m;
  };
  const std::vector<Case> cases =
      small ? std::vector<Case>{Case{2, 1, 4}, Case{2, 20, 30}, Case{5, 130, 4}, Case{40, 1, 30}}
            : std::vector<Case>{Case{2, 1, 4}, Case{2, 1, 30}, Case{2, 20, 4}, Case{2, 20, 30}, Case{5, 130, 4},
                                Case{5, 130, 30}, Case{40, 1, 4}, Case{40, 1, 30}, Case{2, 400, 4}};
  for (const Case c : cases) {
    FamilyParams base = base_params(Problem::p3, 3);
    base.N1 = c.N1;
    base.N2 = c.N2;
    base.dct_mixing = false;  // orthogonal mixing changes no norm, and the oracle is much faster without it
    CAPTURE(c.N1);
    CAPTURE(c.N2);
    CAPTURE(c.m);
    const long n = member_n_for(base, c.m);
    CHECK(n >= c.m);  // n = m suffices when N2 is small against N1
    for (Scale s : {Scale::K, Scale::K_minus_1}) {
      const FamilyLimit lim = family_limit(member_family(base, s, 1));
      const FamilyMember fm = family_member(member_family(base, s, n), c.N1);
      const oracle::Oracle o(fm.instance, {oracle::AnswerPolicy::adversarial, 0}, lim.instance);
      const oracle::InstanceAnswer a = o.query(c.m);
      CHECK(a.A.from_other);
      CHECK(a.y.from_other);
    }
  }
}

TEST_CASE("part 1, randomised, on one fixed pair: never both members from identical data") {
  const FamilyParams base = base_params(Problem::p3, 3);
  const std::size_t trials = small ? 6 : 24;
  for (const NamedAlgorithm& r : randomised_algorithms(base)) {
    CAPTURE(r.name);
    const long n = member_n_for(base, max_bits_on_limit(base, r.algorithm, trials, 1000));
    const SuccessEstimate e = estimate_fixed_pair(base, r.algorithm, n, trials, 0);
    CHECK(e.both_succeeded_identical == 0);
    CHECK(e.successes1 + e.successes2 <= e.trials + (e.trials - e.identical_trials));
    CHECK(e.lo1 <= e.p1);
    CHECK(e.p1 <= e.hi1);
  }
  // Not vacuous: the vertex guesser hits each member with probability 1/2 (N1 = 2).
  const SuccessEstimate v = estimate_fixed_pair(base, random_vertex(base), 6, small ? 20 : 60, 0);
  CHECK(v.identical_trials == v.trials);
  CHECK(v.successes1 + v.successes2 == v.trials);
  CHECK(v.lo1 < 0.5);
  CHECK(v.hi1 > 0.5);
}

TEST_CASE("part 1, randomised: an algorithm that sometimes reads deeper beats 1/2 on a pair that is too close") {
  // The bound needs n beyond what the algorithm reads: at n = 6 the depth guesser (mean 8 extra
  // bits) often reads past the adversary, sees differing data and wins both members.
  const FamilyParams base = base_params(Problem::p3, 3);
  const SuccessEstimate e = estimate_fixed_pair(base, random_depth_guesser(base), 6, small ? 16 : 30, 0);
  CHECK(e.identical_trials < e.trials);
  CHECK(e.successes1 + e.successes2 > e.trials);
  CHECK(e.both_succeeded_identical == 0);
}

TEST_CASE("part 2, randomised, over all N1 members: some member needs more than M bits with p >= 1 - 1/N1") {
  for (std::size_t N1 : small ? std::vector<std::size_t>{4} : std::vector<std::size_t>{2, 4}) {
    FamilyParams base = base_params(Problem::p3, 3);
    base.N1 = N1;
    for (const NamedAlgorithm& r : randomised_algorithms(base))
      for (long M : {N1 == 2 ? 10L : 5L}) {
        CAPTURE(N1);
        CAPTURE(r.name);
        CAPTURE(M);
        const DataNeedEstimate e = estimate_data_need(base, r.algorithm, M, small ? 6 : 12, 0);
        CHECK(e.n == member_n_for(base, M));
        CHECK(e.unmatched == 0);
        CHECK(e.contradictions == 0);
        std::size_t quick = 0;
        for (std::size_t q : e.quick_successes) quick += q;
        CHECK(quick <= e.trials);
        CHECK(e.worst_need_fraction() >= 1 - 1.0 / double(N1));
      }
    // Not vacuous: the vertex guesser reads 4 bits and lands on each vertex with probability
    // 1/N1, so each member's failure rate sits at the bound.
    const DataNeedEstimate v = estimate_data_need(base, random_vertex(base), 8, small ? 12 : 40, 0);
    std::size_t quick = 0;
    for (std::size_t q : v.quick_successes) quick += q;
    CHECK(quick == v.trials);
    // ... and the uncapped decider always succeeds, but reads beyond M on every member.
    const DataNeedEstimate d = estimate_data_need(base, class_decider(base, oracle::max_query_bits), 8, 1, 0);
    for (std::size_t j = 0; j < N1; ++j) CHECK(d.read_beyond_M[j] == 1);
  }
}

TEST_CASE("upper sides hold for every legitimate oracle: nearest, random and adversarial answers") {
  for (Problem problem : {Problem::p1, Problem::p2, Problem::p3}) {
    FamilyParams base = base_params(problem, 3);
    base.N1 = problem == Problem::p3 ? 3 : 2;
    const Algorithm decider = class_decider(base, oracle::max_query_bits), one_shot = one_shot_centroid(base);
    for (oracle::AnswerPolicy policy : {oracle::AnswerPolicy::random, oracle::AnswerPolicy::adversarial})
      for (std::uint64_t seed : {1u}) {
        CAPTURE(to_string(problem));
        CAPTURE(oracle::to_string(policy));
        CAPTURE(seed);
        std::vector<ClassMember> members = {{Scale::K, 1, 0}};
        for (long n : small ? std::vector<long>{1, 9} : std::vector<long>{1, 9, 20})
          for (std::size_t j = 1; j <= base.N1; ++j) {
            members.push_back({Scale::K, j, n});
            members.push_back({Scale::K_minus_1, j, n});
          }
        for (const ClassMember& m : members) {
          CAPTURE(m.name());
          const MemberRun d = run_on_member(base, m, decider, seed, policy);
          CHECK(d.distance.hi <= ten_to_minus(base.K - 1));
          if (m.scale == Scale::K_minus_1) CHECK(d.max_bits_read > m.n);
          const MemberRun s = run_on_member(base, m, one_shot, seed, policy);
          CHECK(s.queries == 1);
          CHECK(s.distance.hi <= ten_to_minus(base.K - 2));
        }
      }
  }
}

TEST_CASE("certified comparisons with 10^-K are decided by raising the precision, not counted as failures") {
  // phi sits 10^-K - 2^-200 from x^2 (an orthogonal step of that length from a 2^-400 rounding of
  // x^2): the distance_precision(K) enclosure (square-root grid 2^-(3.5 K + 64)) straddles 10^-K.
  FamilyParams p = base_params(Problem::p3, 3);
  p.n = 10;
  const FamilyMember m2 = family_member(p, 2);
  const oracle::Enclosure x = oracle::enclose(m2.minimiser, 900);
  std::vector<rational> phi(x.rows);
  for (std::size_t i = 0; i < x.rows; ++i) phi[i] = round_to_dyadic(x.re[i].mid(), 400);
  phi.back() += ten_to_minus(p.K) - pow2(-200);
  REQUIRE(certified_distance(phi, m2.minimiser, distance_precision(p.K)).hi > ten_to_minus(p.K));
  const GameDistance d = game_distance(phi, m2.minimiser, p.K);
  CHECK(d.value.hi <= ten_to_minus(p.K));
  CHECK(d.bits > distance_precision(p.K));
  const Algorithm fixed = [phi](DataAccess& data, std::uint64_t) {
    data.query(10);
    return phi;
  };
  CHECK(trial_outcome(play_adversary_game(p, fixed)).success2 == Decision::yes);
  // With the cap at the starting precision the comparison stays undecided, and it is reported as
  // such: neither a success nor a failure (it used to count as a failure).
  const long cap = distance_precision(p.K);
  const TrialOutcome capped = trial_outcome(play_adversary_game(p, fixed, 0, cap));
  CHECK(capped.success2 == Decision::undecided);
  CHECK(capped.undecided_bits == cap);
  const SuccessEstimate e =
      tally_success(3, 0, [&](std::uint64_t seed) { return trial_outcome(play_adversary_game(p, fixed, seed, cap)); });
  CHECK(e.undecided2 == 3);
  CHECK(e.successes2 == 0);
  CHECK(e.undecided_bits == cap);
}

TEST_CASE("a tiny precision cap: every class game reports undecided comparisons, never PASS or FAIL") {
  // At 8 bits the distances are enclosed on a grid of 2^-4, far coarser than 10^-3 and 10^-2:
  // neither the distances near 10^-K nor those near 0 compared with 10^-(K-1) can be decided.
  const FamilyParams base = base_params(Problem::p3, 3);
  PlaySettings tiny;
  tiny.distance_cap_bits = 8;
  const ClassGameResult g = play_class_game(base, one_shot_centroid(base), 0, tiny);
  CHECK(g.identical_data);
  CHECK(g.K_digits_fail() == Decision::undecided);
  CHECK_FALSE(g.failed_K_digits());
  CHECK(g.distance_bits() == 8);
  const MemberRun r = run_on_member(base, {Scale::K_minus_1, 1, 3}, class_decider(base, 40), 0,
                                    oracle::AnswerPolicy::nearest, tiny);
  CHECK(less_equal(r.distance, ten_to_minus(base.K - 1)) == Decision::undecided);
  CHECK(r.distance_bits == 8);
  const SuccessEstimate e = estimate_fixed_pair(base, random_vertex(base), 6, 4, 0, tiny);
  CHECK(e.undecided1 + e.undecided2 == 8);
  CHECK(e.successes1 + e.successes2 == 0);
  const DataNeedEstimate d = estimate_data_need(base, random_vertex(base), 8, 4, 0, tiny);
  CHECK(d.undecided == 8);
  CHECK(d.undecided_bits == 8);
  CHECK(d.quick_successes == std::vector<std::size_t>{0, 0});
  // ... and the default cap decides all of them.
  CHECK(play_class_game(base, one_shot_centroid(base)).K_digits_fail() == Decision::yes);
}

TEST_CASE("R samples per member: every sample's minimiser certified, sup and min over S differ") {
  CHECK(sample_scale(1, 1) == 1);
  CHECK(sample_scale(1, 4) == 1);
  CHECK(sample_scale(4, 4) == rational(7, 4));
  CHECK_THROWS_AS(sample_scale(5, 4), std::invalid_argument);
  PlaySettings three;
  three.samples = 3;
  for (Problem problem : {Problem::p1, Problem::p2, Problem::p3}) {
    const FamilyParams base = base_params(problem, 3);
    CAPTURE(to_string(problem));
    // Conditioning, optimality and uniqueness of every (member, sample) the games below use.
    for (std::size_t k = 1; k <= 3; ++k)
      for (Scale s : {Scale::K, Scale::K_minus_1}) {
        CHECK(verify_member(sample_family(member_family(base, s, 5), k, 3), 1).all_pass());
        CHECK(verify_member(sample_family(member_family(base, s, 5), k, 3), 2).all_pass());
      }
    // Part 1 with three samples: fooled on every sample.
    const ClassGameResult g = play_class_game(base, one_shot_centroid(base), 0, three);
    CHECK(g.identical_data);
    CHECK(g.failed_K_digits());
    CHECK(g.world1.queries == 3);
    // The centroid's distance grows with c_k: the sup over S exceeds the min over S.
    CHECK(g.min_distance1.hi < g.world1.distance.lo);
    // Parts 2 and 3 on a V member: sup over S within the claims, min over S smaller.
    const MemberRun v = run_on_member(base, {Scale::K_minus_1, 2, 5}, class_decider(base, 40), 0,
                                      oracle::AnswerPolicy::adversarial, three);
    CHECK(v.distance.hi <= ten_to_minus(base.K - 1));
    CHECK(v.queries >= 3);
    const MemberRun c = run_on_member(base, {Scale::K_minus_1, 1, 5}, one_shot_centroid(base), 0,
                                      oracle::AnswerPolicy::nearest, three);
    CHECK(c.queries == 3);
    CHECK(c.distance.hi <= ten_to_minus(base.K - 2));
    CHECK(c.min_distance.hi < c.distance.lo);
    CHECK(c.min_distance.lo > ten_to_minus(base.K - 1));
  }
  // The randomised bounds hold with the sup over S as the criterion.
  const FamilyParams base = base_params(Problem::p3, 3);
  const DataNeedEstimate d = estimate_data_need(base, random_vertex(base), 8, 12, 0, three);
  CHECK(d.unmatched == 0);
  CHECK(d.contradictions == 0);
  CHECK(d.worst_need_fraction() >= 0.5);
  const SuccessEstimate e = estimate_fixed_pair(base, random_vertex(base), 6, 12, 0, three);
  CHECK(e.both_succeeded_identical == 0);
  CHECK(e.successes1 + e.successes2 == e.trials);  // the same vertex for every sample: one member wins all
}

TEST_CASE("m = 1: N2 = 0 keeps every property of the class") {
  for (Problem problem : {Problem::p1, Problem::p2, Problem::p3}) {
    FamilyParams base = base_params(problem, 3);
    base.N2 = 0;
    CAPTURE(to_string(problem));
    const ClassGameResult g = play_class_game(base, class_decider(base, 40));
    CHECK(g.identical_data);
    CHECK(g.failed_K_digits());
    for (long n : {1L, 6L}) {
      const MemberRun v = run_on_member(base, {Scale::K_minus_1, 1, n}, class_decider(base, 40));
      CHECK(v.distance.hi <= ten_to_minus(base.K - 1));
      CHECK(v.max_bits_read > n);
      CHECK(verify_member(member_family(base, Scale::K_minus_1, n), 1).all_pass());
    }
    CHECK(run_on_member(base, {Scale::K, 1, 0}, one_shot_centroid(base)).distance.hi <= ten_to_minus(base.K - 2));
    CHECK(verify_limit(member_family(base, Scale::K, 1)).all_pass());
  }
}

TEST_CASE("part 2: the decider gets K-1 digits on every member, reading precision that grows with n") {
  for (Problem problem : {Problem::p1, Problem::p3})
    for (long K : small ? std::vector<long>{6} : std::vector<long>{3, 6}) {
      const FamilyParams base = base_params(problem, K);
      const Algorithm decider = class_decider(base, oracle::max_query_bits);
      const rational tol = ten_to_minus(K - 1);
      CAPTURE(to_string(problem));
      CAPTURE(K);
      const MemberRun lim = run_on_member(base, {Scale::K, 1, 0}, decider);
      CHECK(lim.distance.hi <= tol);
      for (long n : {1L, 5L, 12L, 30L})
        for (std::size_t j : {std::size_t(1), std::size_t(2)}) {
          CAPTURE(n);
          CAPTURE(j);
          const MemberRun u = run_on_member(base, {Scale::K, j, n}, decider);
          CHECK(u.distance.hi <= tol);
          CHECK(u.queries == 1);
          const MemberRun v = run_on_member(base, {Scale::K_minus_1, j, n}, decider);
          CHECK(v.distance.hi <= tol);
          // The decider certifies once s_j - s_k > 2^(1-m), where the column norms s_i
          // are within err <= 2^-m of a_i and a_j - b = 2^-(n+1). Certain once
          // m >= n + 4. Impossible at m <= n + 1 when err <= 2^-(m+1): then
          // s_j - s_k <= 2^-(n+1) + 2 err <= 2^-n <= 2^(1-m).
          CHECK(v.max_bits_read <= n + 4);
          const FamilyMember vm = family_member(member_family(base, Scale::K_minus_1, n), j);
          const oracle::Oracle nearest(vm.instance, {oracle::AnswerPolicy::nearest, 0});
          bool small_errors = true;
          for (long m = coarse_bits; m <= n + 1; ++m) small_errors &= nearest.query(m).A.bound <= pow2(-m - 1);
          REQUIRE(small_errors);
          CHECK(v.max_bits_read >= n + 2);
          CHECK(v.queries == std::size_t(v.max_bits_read - coarse_bits + 1));
        }
    }
}

TEST_CASE("part 2, lower side: with any read budget M, K-1 digits fail on V(1, M) or V(2, M)") {
  for (long K : small ? std::vector<long>{6} : std::vector<long>{3, 6})
    for (long M : {4L, 8L, 16L, 32L}) {
      const FamilyParams base = base_params(Problem::p3, K);
      CAPTURE(K);
      CAPTURE(M);
      const GameResult g = play_adversary_game(member_family(base, Scale::K_minus_1, M), class_decider(base, M));
      CHECK(g.identical_data);
      CHECK(g.world1.max_n_read <= M);
      CHECK(g.failed_K_digits());  // the game's K is the class's K - 1 here
      CHECK(g.ten_to_minus_K == ten_to_minus(K - 1));
      // The uncapped decider does get K-1 digits on both members: the budget is what fails.
      const MemberRun v1 = run_on_member(base, {Scale::K_minus_1, 1, M}, class_decider(base, M + 4));
      const MemberRun v2 = run_on_member(base, {Scale::K_minus_1, 2, M}, class_decider(base, M + 4));
      CHECK(v1.distance.hi <= ten_to_minus(K - 1));
      CHECK(v2.distance.hi <= ten_to_minus(K - 1));
    }
}

TEST_CASE("part 2, lower side, randomised: a capped decider guessing at random wins one member with p <= 1/2") {
  const FamilyParams base = base_params(Problem::p3, 3);
  const SuccessEstimate e = estimate_success(member_family(base, Scale::K_minus_1, 10),
                                             class_decider(base, 10, Fallback::random_vertex), small ? 12 : 40);
  CHECK(e.identical_data);
  CHECK(e.successes1 + e.successes2 <= e.trials);
  CHECK(std::min(e.p1, e.p2) <= 0.5);
}

TEST_CASE("part 3: one coarse datum gives K-2 digits on every member") {
  for (Problem problem : {Problem::p1, Problem::p2, Problem::p3})
    for (long K : {3L, 6L}) {
      const FamilyParams base = base_params(problem, K);
      const Algorithm one_shot = one_shot_centroid(base);
      CAPTURE(to_string(problem));
      CAPTURE(K);
      const MemberRun lim = run_on_member(base, {Scale::K, 1, 0}, one_shot);
      CHECK(lim.queries == 1);
      CHECK(lim.distance.hi <= ten_to_minus(K - 2));
      for (long n : {1L, 7L, 40L})
        for (std::size_t j : {std::size_t(1), std::size_t(2)})
          for (Scale s : {Scale::K, Scale::K_minus_1}) {
            const MemberRun r = run_on_member(base, {s, j, n}, one_shot);
            CAPTURE(r.member.name());
            CHECK(r.queries == 1);
            CHECK(r.max_bits_read == coarse_bits);
            CHECK(r.distance.hi <= ten_to_minus(K - 2));
            // ... and no better than K-2 on the scale K-1 members: the centroid
            // sits half the separation from each vertex.
            if (s == Scale::K_minus_1) CHECK(r.distance.lo > ten_to_minus(K - 1));
          }
    }
}

TEST_CASE("at the largest K the certified distances still resolve 10^-K") {
  const FamilyParams base = base_params(Problem::p3, max_K);
  const ClassGameResult g = play_class_game(base, one_shot_centroid(base));
  CHECK(g.identical_data);
  CHECK(g.failed_K_digits());
  // The centroid is 1.5 10^-K from both vertices: the intervals must be far narrower than 10^-K.
  CHECK(g.world1.distance.hi - g.world1.distance.lo < ten_to_minus(max_K) / 1000);
  CHECK(g.world1.distance.hi < 2 * ten_to_minus(max_K));
  const MemberRun r = run_on_member(base, {Scale::K_minus_1, 1, 5}, one_shot_centroid(base));
  CHECK(r.distance.hi <= ten_to_minus(max_K - 2));
}

TEST_CASE("the class rejects what it cannot hold") {
  CHECK_THROWS_AS(class_decider(base_params(Problem::p3, 2), 10), std::invalid_argument);
  CHECK_THROWS_AS(class_decider(base_params(Problem::p3, 3), 3), std::invalid_argument);
  CHECK_THROWS_AS(run_on_member(base_params(Problem::p3, 3), {Scale::K_minus_1, 1, 0},
                                one_shot_centroid(base_params(Problem::p3, 3))),
                  std::invalid_argument);
  FamilyParams big = base_params(Problem::p3, 3);
  big.N2 = theorem_class_max_size - 1;
  CHECK_THROWS_WITH_AS(one_shot_centroid(big), doctest::Contains("N1 + N2 = 257 is too large"), std::invalid_argument);
  big.N2 = theorem_class_max_size - 2;
  CHECK_NOTHROW(one_shot_centroid(big));
  CHECK(ClassMember{Scale::K, 2, 12}.name() == "U(2, n=12)");
  CHECK(ClassMember{Scale::K, 1, 0}.name() == "U(lim)");
}
