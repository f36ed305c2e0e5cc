#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "barriers/impossibility/theorem_class.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"

using namespace barriers;
using namespace barriers::impossibility;

namespace {

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
        CHECK(g.member_n == g.limit_bits_read + 2);
        CHECK(g.identical_data);
        CHECK(g.world1.adversary_answered_all);
        CHECK(g.world2.adversary_answered_all);
        // Same output on both members, so the larger distance is at least half the separation.
        CHECK(g.worst_distance_lower() * 2 >= g.separation.lo);
        CHECK(g.failed_K_digits());
      }
    }
}

TEST_CASE("part 1 on the class, randomised: one of the two success rates is at most 1/2") {
  const FamilyParams base = base_params(Problem::p3, 3);
  const SuccessEstimate e = estimate_class_success(base, random_vertex(base), 200);
  CHECK(e.identical_data);
  // Identical data and disjoint 10^-K balls: the events are complementary or worse, per seed.
  CHECK(e.successes1 + e.successes2 <= e.trials);
  CHECK(std::min(e.p1, e.p2) <= 0.5);
  // The guesser is not vacuous: it hits each member with probability 1/2 (N1 = 2).
  CHECK(e.lo1 < 0.5);
  CHECK(e.hi1 > 0.5);
}

TEST_CASE("part 2: the decider gets K-1 digits on every member, reading precision that grows with n") {
  for (Problem problem : {Problem::p1, Problem::p3})
    for (long K : {3L, 6L}) {
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
  for (long K : {3L, 6L})
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
                                             class_decider(base, 10, Fallback::random_vertex), 40);
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
  CHECK(ClassMember{Scale::K, 2, 12}.name() == "U(2, n=12)");
  CHECK(ClassMember{Scale::K, 1, 0}.name() == "U(lim)");
}
