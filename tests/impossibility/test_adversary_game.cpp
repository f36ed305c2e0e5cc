#include <doctest/doctest.h>

#include "barriers/impossibility/adversary_game.hpp"

using namespace barriers;
using namespace barriers::impossibility;

namespace {

// A sensible P3 algorithm in exact arithmetic: u = A_m^T y_m estimates the
// head a (since A^T y = (a, 0)); output e_i / u_i at the largest head entry.
std::vector<rational> closed_form_output(const Data& d, std::size_t N1) {
  const auto& A = d.A;
  const auto& y = d.y;
  std::vector<rational> u(A.cols, rational(0));
  for (std::size_t j = 0; j < A.cols; ++j)
    for (std::size_t i = 0; i < A.rows; ++i) u[j] += A.real(i, j) * y.real(i, 0);
  std::size_t best = 0;
  for (std::size_t j = 1; j < N1; ++j)
    if (u[j] > u[best]) best = j;
  std::vector<rational> x(A.cols, rational(0));
  x[best] = 1 / u[best];
  return x;
}

Algorithm reads_at(long bits_beyond_n, long n, std::size_t N1) {
  return [=](DataAccess& data, std::uint64_t) { return closed_form_output(data.query(n + bits_beyond_n), N1); };
}

}  // namespace

TEST_CASE("an algorithm that reads precision n cannot get K digits on both members") {
  for (long K : {1L, 3L, 6L})
    for (long n : {10L, 20L, 30L}) {
      FamilyParams p;
      p.K = K;
      p.n = n;
      const GameResult g = play_adversary_game(p, reads_at(0, n, p.N1));
      CAPTURE(K);
      CAPTURE(n);
      CHECK(g.identical_data);
      CHECK(g.world1.adversary_answered_all);
      CHECK(g.world1.max_n_read == n);
      CHECK(g.failed_K_digits());
      // It gets member 2 right (that is the data it sees) and member 1 wrong by about the separation.
      CHECK(g.world2.distance.hi < g.ten_to_minus_K);
      CHECK(g.world1.distance.lo > g.separation.lo / 2);
    }
}

TEST_CASE("the game is not vacuous: reading beyond n lets the same algorithm win") {
  FamilyParams p;
  p.K = 3;
  p.n = 20;
  const GameResult g = play_adversary_game(p, reads_at(30, p.n, p.N1));
  CHECK_FALSE(g.identical_data);
  CHECK_FALSE(g.world1.adversary_answered_all);
  CHECK_FALSE(g.failed_K_digits());
  CHECK(g.world1.distance.hi < g.ten_to_minus_K);
  CHECK(g.world2.distance.hi < g.ten_to_minus_K);
}

TEST_CASE("randomised algorithms: success probabilities in the two worlds sum to at most 1") {
  FamilyParams p;
  p.K = 1;
  p.n = 10;
  // Guess: with probability about 1/2 answer e_1/u_1, else e_2/u_2.
  const Algorithm coin = [&p](DataAccess& data, std::uint64_t seed) {
    const Data d = data.query(p.n);
    std::vector<rational> x = closed_form_output(d, p.N1);
    const std::uint64_t h = (seed + 1) * 0x9e3779b97f4a7c15ULL;
    if ((h >> 63) == 0) {  // output the other head position instead
      const auto& A = d.A;
      rational u0 = 0;
      for (std::size_t i = 0; i < A.rows; ++i) u0 += A.real(i, 0) * d.y.real(i, 0);
      std::fill(x.begin(), x.end(), rational(0));
      x[0] = 1 / u0;
    }
    return x;
  };
  const SuccessEstimate s = estimate_success(p, coin, 60, 1);
  CHECK(s.identical_data);
  CHECK(s.successes1 + s.successes2 <= s.trials);
  CHECK(std::min(s.p1, s.p2) <= 0.5);
  CHECK(s.lo1 <= s.p1);
  CHECK(s.p1 <= s.hi1);
  CHECK(s.successes1 > 0);  // the coin does land on member 1's minimiser sometimes
  CHECK(s.successes2 > 0);
}

TEST_CASE("the larger distance against 10^-K is three-valued: an interval across 10^-K is undecided") {
  GameResult g;
  g.ten_to_minus_K = ten_to_minus(3);
  const rational t = g.ten_to_minus_K;
  g.world1.distance = {t / 2, 2 * t};  // straddles 10^-K
  g.world2.distance = {0, t / 2};
  g.world1.distance_bits = 99;
  CHECK(g.K_digits_fail() == Decision::undecided);
  CHECK_FALSE(g.failed_K_digits());
  CHECK(g.distance_bits() == 99);
  const TrialOutcome o = trial_outcome(g);
  CHECK(o.success1 == Decision::undecided);
  CHECK(o.success2 == Decision::yes);
  CHECK(o.undecided_bits == 99);
  g.world1.distance = {t + t / 100, 2 * t};
  CHECK(g.K_digits_fail() == Decision::yes);
  CHECK(trial_outcome(g).success1 == Decision::no);
  g.world1.distance = {0, t};
  CHECK(g.K_digits_fail() == Decision::no);
}

TEST_CASE("Wilson intervals") {
  const auto [lo, hi] = wilson_interval(50, 100);
  CHECK(lo == doctest::Approx(0.4038).epsilon(1e-3));
  CHECK(hi == doctest::Approx(0.5962).epsilon(1e-3));
  CHECK(wilson_interval(0, 10).first == 0.0);
  CHECK(wilson_interval(10, 10).second == doctest::Approx(1.0));
  CHECK(wilson_interval(0, 10).second == doctest::Approx(0.2775).epsilon(1e-3));
  CHECK_THROWS_AS(estimate_success(FamilyParams{}, reads_at(0, 10, 2), 0), std::invalid_argument);
}
