#include "barriers/impossibility/adversary_game.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <string>

#include "barriers/impossibility/certified_compare.hpp"
#include "barriers/impossibility/distance.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

using oracle::Enclosure;
using oracle::Interval;

Data DataAccess::query(long m) {
  answers_.push_back(oracle_.query(m));
  max_n_ = std::max(max_n_, m);
  return {m, answers_.back().A.value, answers_.back().y.value};
}

rational GameResult::worst_distance_lower() const {
  return world1.distance.lo > world2.distance.lo ? world1.distance.lo : world2.distance.lo;
}

bool DataAccess::same_data_as(const DataAccess& other) const {
  if (queries() != other.queries()) return false;
  for (std::size_t k = 0; k < queries(); ++k)
    if (!(answers_[k].A.value == other.answers_[k].A.value && answers_[k].y.value == other.answers_[k].y.value))
      return false;
  return true;
}

bool DataAccess::all_from_other() const {
  for (const auto& a : answers_)
    if (!a.A.from_other || !a.y.from_other) return false;
  return true;
}

Decision GameResult::K_digits_fail() const {
  // max(d1, d2) > 10^-K: certain when either lower end is above, refuted when both upper ends are below.
  if (worst_distance_lower() > ten_to_minus_K) return Decision::yes;
  if (world1.distance.hi <= ten_to_minus_K && world2.distance.hi <= ten_to_minus_K) return Decision::no;
  return Decision::undecided;
}

GameResult play_adversary_game(const FamilyParams& params, const Algorithm& algorithm, std::uint64_t seed,
                               long cap_bits) {
  const FamilyMember m1 = family_member(params, 1), m2 = family_member(params, 2);
  const oracle::Oracle world1(m1.instance, {oracle::AnswerPolicy::adversarial, 0}, m2.instance);
  const oracle::Oracle world2(m2.instance, {oracle::AnswerPolicy::nearest, 0});
  DataAccess d1(world1), d2(world2);
  const std::vector<rational> phi1 = algorithm(d1, seed), phi2 = algorithm(d2, seed);

  GameResult r;
  r.ten_to_minus_K = ten_to_minus(params.K);
  r.separation = certified_separation(m1.minimiser, m2.minimiser, distance_precision(params.K));
  const GameDistance e1 = game_distance(phi1, m1.minimiser, params.K, cap_bits);
  const GameDistance e2 = game_distance(phi2, m2.minimiser, params.K, cap_bits);
  r.world1 = {e1.value, d1.max_n_read(), d1.queries(), d1.all_from_other(), e1.bits};
  r.world2 = {e2.value, d2.max_n_read(), d2.queries(), true, e2.bits};
  r.identical_data = d1.same_data_as(d2);
  return r;
}

GameDistance game_distance(const std::vector<rational>& phi, const oracle::ExactMatrix& x, long K, long cap_bits) {
  GameDistance d;
  const long start = distance_precision(K);
  const long cap = cap_bits > 0 ? cap_bits : game_distance_cap_factor * start;
  const Decided r = decide_with_retry(
      [&](long bits) {
        d.value = certified_distance(phi, x, bits);
        // "Decided" here means: every threshold lies outside the interval.
        bool decided = true;
        for (long k = K; k >= std::max(0L, K - 2); --k)
          decided = decided && less_equal(d.value, ten_to_minus(k)) != Decision::undecided;
        return decided ? Decision::yes : Decision::undecided;
      },
      {std::min(start, cap), cap});
  d.bits = r.precision_bits;
  return d;
}

TrialOutcome trial_outcome(const GameResult& g) {
  TrialOutcome o{less_equal(g.world1.distance, g.ten_to_minus_K), less_equal(g.world2.distance, g.ten_to_minus_K),
                 g.identical_data, 0};
  if (o.success1 == Decision::undecided || o.success2 == Decision::undecided) o.undecided_bits = g.distance_bits();
  return o;
}

std::pair<double, double> wilson_interval(std::size_t k, std::size_t n) {
  if (n == 0) return {0.0, 1.0};
  const double z = 1.959963984540054, p = double(k) / double(n), nn = double(n);
  const double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

SuccessEstimate tally_success(std::size_t trials, std::uint64_t first_seed,
                              const std::function<TrialOutcome(std::uint64_t seed)>& trial) {
  if (trials < 1) throw std::invalid_argument("the number of trials must be at least 1");
  SuccessEstimate s;
  s.trials = trials;
  for (std::size_t t = 0; t < trials; ++t) {
    const TrialOutcome o = trial(first_seed + t);
    s.identical_data = s.identical_data && o.identical_data;
    s.identical_trials += o.identical_data;
    const bool yes1 = o.success1 == Decision::yes, yes2 = o.success2 == Decision::yes;
    s.both_succeeded_identical += o.identical_data && yes1 && yes2;
    s.successes1 += yes1;
    s.successes2 += yes2;
    s.undecided1 += o.success1 == Decision::undecided;
    s.undecided2 += o.success2 == Decision::undecided;
    s.undecided_bits = std::max(s.undecided_bits, o.undecided_bits);
  }
  s.p1 = double(s.successes1) / double(trials);
  s.p2 = double(s.successes2) / double(trials);
  std::tie(s.lo1, s.hi1) = wilson_interval(s.successes1, trials);
  std::tie(s.lo2, s.hi2) = wilson_interval(s.successes2, trials);
  return s;
}

SuccessEstimate estimate_success(const FamilyParams& params, const Algorithm& algorithm, std::size_t trials,
                                 std::uint64_t first_seed) {
  return tally_success(trials, first_seed, [&](std::uint64_t seed) {
    return trial_outcome(play_adversary_game(params, algorithm, seed));
  });
}

}  // namespace barriers::impossibility
