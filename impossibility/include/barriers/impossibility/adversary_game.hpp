// The adversary game behind part 1 of the impossibility theorem.
//
// Two members of an Omega_K family agree to 2^-n. The game runs an
// algorithm twice: once in the world of member 1, whose oracle is
// adversarial (it answers with member 2's bits whenever they are certified
// legitimate for member 1), and once in the world of member 2 (nearest
// answers). An algorithm that reads no precision beyond n receives identical
// data in both worlds, so its outputs coincide and one of them is at least
// ||x^1 - x^2||/2 > 10^-K from the true minimiser. Any algorithm can be
// played: it is a callable that sees only an oracle.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "barriers/impossibility/certified_compare.hpp"
#include "barriers/impossibility/family.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/oracle/oracle.hpp"

namespace barriers::impossibility {

/// What an algorithm sees of one answer: the dyadic data and the precision
/// asked for, nothing else. The oracle's certified bound and its policy flags
/// depend on which instance is true, so handing them out would leak it.
struct Data {
  long n = 0;  ///< ||A - A_exact||_2 <= 2^-n and ||y - y_exact||_2 <= 2^-n
  oracle::RationalMatrix A, y;
};

/// What an algorithm may do: ask for (A_m, y_m) at any precision m. The
/// full answers are kept for the game's bookkeeping.
class DataAccess {
 public:
  explicit DataAccess(const oracle::Oracle& o) : oracle_(o) {}
  Data query(long m);
  long max_n_read() const { return max_n_; }
  std::size_t queries() const { return answers_.size(); }
  const std::vector<oracle::InstanceAnswer>& answers() const { return answers_; }
  /// Both received the same number of answers with bit-identical A and y.
  bool same_data_as(const DataAccess& other) const;
  /// Every answer so far was the adversary's (the other instance's data).
  bool all_from_other() const;

 private:
  const oracle::Oracle& oracle_;
  std::vector<oracle::InstanceAnswer> answers_;
  long max_n_ = -1;
};

/// An algorithm: reads data through DataAccess, returns its output x as exact
/// rationals (convert with barriers::to_rational from any working type).
/// `seed` feeds randomised algorithms; deterministic ones ignore it.
using Algorithm = std::function<std::vector<rational>(DataAccess&, std::uint64_t seed)>;

struct WorldOutcome {
  oracle::Interval distance;   ///< certified ||phi - x^j||_2 (over several samples: the largest)
  long max_n_read = -1;
  std::size_t queries = 0;
  bool adversary_answered_all = true;  ///< every answer in world 1 came from member 2
  long distance_bits = 0;              ///< precision of the enclosure behind `distance`
};

struct GameResult {
  WorldOutcome world1, world2;
  bool identical_data = false;  ///< both worlds received bit-identical answers
  oracle::Interval separation;  ///< ||x^1 - x^2||_2
  rational ten_to_minus_K;
  /// max of the two distances, lower end: the theorem says > 10^-K whenever
  /// identical_data holds.
  rational worst_distance_lower() const;
  /// The larger distance > 10^-K: yes, no, or undecided (an interval still
  /// straddles 10^-K at the precision cap).
  Decision K_digits_fail() const;
  bool failed_K_digits() const { return K_digits_fail() == Decision::yes; }
  long distance_bits() const { return std::max(world1.distance_bits, world2.distance_bits); }
};

/// `cap_bits` caps the precision of the certified distances (0: the default
/// cap of game_distance).
GameResult play_adversary_game(const FamilyParams& params, const Algorithm& algorithm, std::uint64_t seed = 0,
                               long cap_bits = 0);

/// A certified distance and the precision of the enclosure it came from.
struct GameDistance {
  oracle::Interval value;
  long bits = 0;
};

/// The default cap of game_distance, as a multiple of its start.
inline constexpr long game_distance_cap_factor = 16;

/// Certified ||phi - x||_2 that the games compare with 10^-K, 10^-(K-1) and
/// 10^-(K-2): the enclosure precision starts at distance_precision(K) and is
/// doubled (decide_with_retry) until no threshold lies inside the interval,
/// up to cap_bits (0: game_distance_cap_factor times the start; a cap below
/// the start is also the start). An interval may still straddle a threshold
/// at the cap: compare it only three-valued (less_equal), and report such a
/// comparison as undecided at `bits`, never as success or failure.
GameDistance game_distance(const std::vector<rational>& phi, const oracle::ExactMatrix& x, long K,
                           long cap_bits = 0);

/// Success rate of a randomised algorithm in each world over `trials`
/// seeds: success means within 10^-K of that world's minimiser. On a seed
/// where both worlds receive the same data the output is the same, and the
/// two 10^-K balls are disjoint, so at most one world succeeds: p1 + p2 <=
/// 1 + (fraction of seeds with differing data).
struct SuccessEstimate {
  std::size_t trials = 0;
  std::size_t successes1 = 0, successes2 = 0;  ///< certified successes
  std::size_t undecided1 = 0, undecided2 = 0;  ///< trials whose success stayed undecided at the cap
  long undecided_bits = 0;                     ///< the precision they reached (0: none undecided)
  double p1 = 0, p2 = 0;
  double lo1 = 0, hi1 = 0, lo2 = 0, hi2 = 0;  ///< 95% Wilson score intervals
  std::size_t identical_trials = 0;           ///< seeds on which both worlds saw bit-identical data
  std::size_t both_succeeded_identical = 0;   ///< seeds with identical data and both successes: must be 0
  bool identical_data = true;                 ///< in every trial
};

SuccessEstimate estimate_success(const FamilyParams& params, const Algorithm& algorithm, std::size_t trials,
                                 std::uint64_t first_seed = 0);

/// One trial of a two-world game: did each world's output land within
/// 10^-K (yes, no, or undecided at the precision cap), and did both worlds
/// see the same data?
struct TrialOutcome {
  Decision success1 = Decision::no, success2 = Decision::no;
  bool identical_data = false;
  long undecided_bits = 0;  ///< precision reached by an undecided comparison (0: none)
};

/// Runs `trial` for seeds first_seed .. first_seed + trials - 1 and tallies
/// the outcomes (the common core of estimate_success and its class variant).
SuccessEstimate tally_success(std::size_t trials, std::uint64_t first_seed,
                              const std::function<TrialOutcome(std::uint64_t seed)>& trial);

/// A game's trial as tally_success counts it: success within 10^-K in each
/// world, three-valued (an interval that straddles 10^-K is undecided).
TrialOutcome trial_outcome(const GameResult& g);

/// 95% Wilson score interval for k successes in n trials.
std::pair<double, double> wilson_interval(std::size_t k, std::size_t n);

}  // namespace barriers::impossibility
