// A class Omega on which all three parts of the impossibility theorem
// (THEORY.md section 3) can be played out, built from Omega_K families:
//
//   U(j, n)  the family at scale K (minimisers about 3 10^-K apart), n >= 1;
//   U(lim)   its limit eps = 0, whose minimiser set is a simplex;
//   V(j, n)  the family at scale K - 1, n >= 1 (no limit member).
//
// Part 1: an algorithm that halts on U(lim) has read some precision m; the
//   members U(1, n), U(2, n) with n > m can be answered with U(lim)'s bits,
//   so it returns the same output on both and misses one by more than 10^-K.
// Part 2: the decider below gets K-1 digits on every member (it tells the
//   scales apart from coarse data, returns the simplex centroid on U and
//   reads V(j, n) until the largest head entry is certified), but on V(j, n)
//   it needs precision about n + 3: unbounded over Omega. Any algorithm
//   with K-1 digits needs precision > n on V(1, n) or V(2, n), by the same
//   two-point argument at scale K-1.
// Part 3: one coarse datum (L = 1) suffices for K-2 digits: return the
//   centroid of the scale the data show.
//
// "Training data" here are the elements (A_m, y_m) of iota_{A,S} with the
// single sample y; the amount read is counted in elements and in bits of
// precision. THEORY.md only sketches the theorem, so this class is ours; the
// paper's class may differ (docs/impossibility.md).
#pragma once

#include <cstdint>
#include <string>

#include "barriers/impossibility/adversary_game.hpp"
#include "barriers/impossibility/family.hpp"

namespace barriers::impossibility {

/// Smallest K for the class: K-2 digits must still mean something.
inline constexpr long theorem_class_min_K = 3;

/// Throws std::invalid_argument unless base validates and K >= 3.
void validate_theorem_class(const FamilyParams& base);

enum class Scale { K, K_minus_1 };

/// One member of Omega; n == 0 means the limit U(lim) (scale K only).
struct ClassMember {
  Scale scale = Scale::K;
  std::size_t j = 1;
  long n = 0;
  std::string name() const;  ///< "U(1, n=12)", "U(lim)", "V(2, n=5)"
};

/// The family parameters of a member's scale at precision n.
FamilyParams member_family(const FamilyParams& base, Scale scale, long n);

/// Precision of the one coarse query with which the algorithms below tell
/// the two scales apart (their ||A||_F differ by a factor 10).
inline constexpr long coarse_bits = 4;

/// What the decider does when its budget runs out before V(j, n) is decided.
enum class Fallback { centroid, random_vertex };

/// Part 2's algorithm: on scale K the centroid of the candidates; on scale
/// K-1 reads precisions coarse_bits, coarse_bits + 1, ... up to
/// `budget_bits` until the column norms of A_m certify the largest head
/// entry a_j, then returns t(a_j) e_j. If the budget runs out, the fallback.
Algorithm class_decider(const FamilyParams& base, long budget_bits, Fallback fallback = Fallback::centroid);

/// Part 3's algorithm: one query at coarse_bits, then the centroid of the
/// candidates of the scale it shows.
Algorithm one_shot_centroid(const FamilyParams& base);

/// A randomised guesser: one coarse query, then the candidate vertex t e_J
/// of that scale for J uniform in 1..N1 (seeded).
Algorithm random_vertex(const FamilyParams& base);

/// One run of an algorithm on one member with the nearest oracle.
struct MemberRun {
  ClassMember member;
  std::size_t queries = 0;
  long max_bits_read = -1;
  /// Certified distance to the member's minimiser set. For U(lim) it is
  /// [0, distance to the centroid]: an upper bound only.
  oracle::Interval distance;
};

MemberRun run_on_member(const FamilyParams& base, const ClassMember& member, const Algorithm& algorithm,
                        std::uint64_t seed = 0);

/// Part 1 over the class: run on U(lim), then on U(1, n) and U(2, n) with
/// n = (precision read on the limit) + 2, each with an oracle that answers
/// with U(lim)'s bits (certified legitimate for the member).
struct ClassGameResult : GameResult {
  long limit_bits_read = -1;
  std::size_t limit_queries = 0;
  long member_n = 0;  ///< the n of the fooled pair
  // GameResult's fields: world1, world2 are U(1, n) and U(2, n), both
  // answered by the adversary; identical_data means both received U(lim)'s
  // answers bit for bit.
};

ClassGameResult play_class_game(const FamilyParams& base, const Algorithm& algorithm, std::uint64_t seed = 0);

/// Success rates within 10^-K on U(1, n) and U(2, n) over seeds (n chosen
/// per seed as in play_class_game); p1 + p2 <= 1 when the data are identical.
SuccessEstimate estimate_class_success(const FamilyParams& base, const Algorithm& algorithm, std::size_t trials,
                                       std::uint64_t first_seed = 0);

}  // namespace barriers::impossibility
