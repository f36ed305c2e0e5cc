// A class Omega on which all three parts of the impossibility theorem
// (THEORY.md section 3) can be played out, built from Omega_K families:
//
//   U(j, n)  the family at scale K (minimisers about 3 10^-K apart), n >= 1;
//   U(lim)   its limit eps = 0, whose minimiser set is a simplex;
//   V(j, n)  the family at scale K - 1, n >= 1 (no limit member).
//
// Part 1: an algorithm that halts on U(lim) has read some precision m; the
//   members U(1, n), U(2, n) with n = member_n_for(m) > m can be answered
//   with U(lim)'s bits, so it returns the same output on both and misses one
//   by more than 10^-K. Randomised: on one fixed pair, p1 + p2 <= 1 on the
//   seeds whose reads the adversary matches.
// Part 2: the decider below gets K-1 digits on every member (it tells the
//   scales apart from coarse data, returns the simplex centroid on U and
//   reads V(j, n) until the largest head entry is certified), but on V(j, n)
//   it needs precision about n + 3: unbounded over Omega. Any algorithm
//   with K-1 digits needs precision > n on V(1, n) or V(2, n), by the same
//   two-point argument at scale K-1; randomised: over the N1 members at one
//   n, some member needs more than M bits (or fails) with probability
//   >= 1 - 1/N1.
// Part 3: one coarse datum (L = 1) suffices for K-2 digits: return the
//   centroid of the scale the data show.
//
// Samples: every member (A, S) carries R >= 1 measurement vectors
// y_k = c_k D e_1, c_k = 1 + (k - 1)/R (PlaySettings::samples), each with its
// own certified unique minimiser. An algorithm is run once per sample on
// (A_m, y_{k,m}); success ("K digits") is the sup over S of the distances
// (THEORY.md section 2), and the min over S is reported beside it.
// "Training data" are the elements (A_m, y_{k,m}) of iota_{A,S}; the amount
// read is counted in elements and in bits of precision. THEORY.md only sketches the theorem, so this class is ours; the
// paper's class may differ (docs/impossibility.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "barriers/impossibility/adversary_game.hpp"
#include "barriers/impossibility/family.hpp"

namespace barriers::impossibility {

/// Smallest K for the class: K-2 digits must still mean something.
inline constexpr long theorem_class_min_K = 3;

/// Largest N1 + N2 for the class. The games make hundreds to thousands of
/// oracle queries, each enclosing the DCT-mixed (1 + N2) x (N1 + N2) matrix,
/// so their cost grows like (N1 + N2)^2 per query: measured, `theorem
/// --n-max 1 --trials 1 --solvers none` takes 2.3 s CPU at N2 = 60, 11 s at
/// 126 and 51 s at 254, and at N2 = 500 (no DCT) over 4 minutes and 1.5 GB.
inline constexpr std::size_t theorem_class_max_size = 256;

/// Throws std::invalid_argument unless base validates, K >= 3 and
/// N1 + N2 <= theorem_class_max_size.
void validate_theorem_class(const FamilyParams& base);

enum class Scale { K, K_minus_1 };

/// How the class is played beyond its family parameters.
struct PlaySettings {
  std::size_t samples = 1;     ///< R: samples y_1..y_R per member
  long distance_cap_bits = 0;  ///< cap on the certified distances' precision (0: game_distance's default)
};

/// Largest R accepted (every sample multiplies the games' cost).
inline constexpr std::size_t max_samples = 64;

/// Throws std::invalid_argument unless 1 <= samples <= max_samples and the cap is 0 or >= 2 bits.
void validate_play(const PlaySettings& play);

/// c_k = 1 + (k - 1)/R: sample k of R is y_k = c_k D e_1 (1 <= k <= R).
rational sample_scale(std::size_t k, std::size_t R);

/// p with y = c_k D e_1.
FamilyParams sample_family(FamilyParams p, std::size_t k, std::size_t R);

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

/// The least n such that every member at precision n of either scale can be
/// answered with its limit's nearest bits at every precision up to m, as the
/// oracle certifies it. The oracle bounds ||A_m - A||_2 by the Frobenius
/// norm, and a member differs from its limit by eps = 2^-(n+1) in one head
/// entry and by about eps / sqrt(N1) in each of the N2 diagonal entries
/// ||a||: ||.||_F ~ eps sqrt(1 + N2 / N1), although ||.||_2 = eps. So n grows
/// with log2(N2 / N1): m + 2 for the default N1 = 2, N2 = 20.
long member_n_for(const FamilyParams& base, long m);

/// What one coarse answer shows: the member's scale, that scale's family
/// parameters, the vertex entry t estimated from ||A_m||_F and ||y_m||_2 (= c
/// within 2^-m), and the answer.
struct CoarseView {
  Scale scale;
  FamilyParams params;
  double t;
  Data data;
};

/// Queries (A_m, y_m) at coarse_bits and reads the scale from it.
CoarseView coarse_view(const FamilyParams& base, DataAccess& data);

/// The candidate vertex t e_j (1-based j) and the centroid (t/N1)(e_1 + ... + e_N1).
std::vector<rational> class_vertex(const FamilyParams& p, std::size_t j, double t);
std::vector<rational> class_centroid(const FamilyParams& p, double t);

/// ||A e_col||_2^2 exactly, for the 0-based column `col` of a data matrix.
rational column_norm2(const oracle::RationalMatrix& A, std::size_t col);

/// The 1-based index of the head column of A_m whose norm is certified the
/// largest (column norms of A_m move by at most ||A_m - A||_2 <= 2^-m), or 0
/// when no column is certified.
std::size_t certified_largest_column(const oracle::RationalMatrix& A, std::size_t N1, long m);

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

/// One run of an algorithm on one member. The oracle's policy may be any:
/// nearest, random (seeded), or adversarial, which answers with the bits of
/// `adversary_for(member)` whenever they are certified legitimate.
struct MemberRun {
  ClassMember member;
  std::size_t queries = 0;  ///< over all samples
  long max_bits_read = -1;
  /// Certified distance to the member's minimiser set, the largest over the
  /// samples (sup over S). For U(lim) it is [0, distance to the centroid]:
  /// an upper bound only.
  oracle::Interval distance;
  oracle::Interval min_distance;  ///< the smallest over the samples (min over S)
  long distance_bits = 0;         ///< the highest precision of the distance enclosures
};

/// The instance an adversarial oracle answers a member with: U(lim) for
/// U(j, n); U(1, 1) for U(lim); V(j % N1 + 1, n) for V(j, n).
ClassMember adversary_for(const FamilyParams& base, const ClassMember& member);

MemberRun run_on_member(const FamilyParams& base, const ClassMember& member, const Algorithm& algorithm,
                        std::uint64_t seed = 0, oracle::AnswerPolicy policy = oracle::AnswerPolicy::nearest,
                        const PlaySettings& play = {});

/// Part 1 over the class: run on U(lim), then on U(1, n) and U(2, n) with
/// n = member_n_for(precision read on the limit), each with an oracle that
/// answers with U(lim)'s bits (certified legitimate for the member); every
/// sample k against the limit's sample k.
struct ClassGameResult : GameResult {
  long limit_bits_read = -1;
  std::size_t limit_queries = 0;
  long member_n = 0;  ///< the n of the fooled pair
  // GameResult's fields: world1, world2 are U(1, n) and U(2, n), both
  // answered by the adversary, distances the largest over the samples;
  // identical_data means both received U(lim)'s answers bit for bit, for
  // every sample.
  oracle::Interval min_distance1, min_distance2;  ///< the smallest over the samples
};

ClassGameResult play_class_game(const FamilyParams& base, const Algorithm& algorithm, std::uint64_t seed = 0,
                                const PlaySettings& play = {});

/// Part 1 for randomised algorithms on ONE fixed pair U(1, n), U(2, n),
/// both answered by the adversary with U(lim)'s bits where certified
/// legitimate (and with their own nearest bits beyond): success rates within
/// 10^-K over seeds first_seed, first_seed + 1, ... . On a seed whose runs
/// read no more than the adversary can match, both members get the same data
/// and at most one succeeds, so p1 + p2 <= 1 + P(differing data).
/// With R samples a member succeeds on a seed when every sample does (sup
/// over S), and the data are identical when they are for every sample.
SuccessEstimate estimate_fixed_pair(const FamilyParams& base, const Algorithm& algorithm, long n,
                                    std::size_t trials, std::uint64_t first_seed = 0, const PlaySettings& play = {});

/// The largest precision an algorithm reads on U(lim) over `trials` seeds
/// (a pilot run, to pick the fixed n of estimate_fixed_pair).
long max_bits_on_limit(const FamilyParams& base, const Algorithm& algorithm, std::size_t trials,
                       std::uint64_t first_seed, const PlaySettings& play = {});

/// Part 2, lower side, for randomised algorithms over all N1 = N + 1 - m
/// members V(1, n), ..., V(N1, n) at scale K-1, n = member_n_for(M), each
/// answered with the scale-(K-1) limit's bits where certified legitimate.
/// "Quick success" on V(j, n): within 10^-(K-1) on every sample, having read
/// at most M bits on each.
/// On a seed, runs that read at most M bits all see the same data, hence
/// give the same output, which is within 10^-(K-1) of at most one vertex:
/// sum_j P_j(quick success) <= 1, so some member has
/// P(fail or read more than M bits) >= 1 - 1/N1.
struct DataNeedEstimate {
  long M = 0, n = 0;
  std::size_t trials = 0;
  std::vector<std::size_t> quick_successes;  ///< per member j = 1..N1
  std::vector<std::size_t> read_beyond_M;    ///< per member: runs that read more than M bits
  std::size_t unmatched = 0;       ///< seeds on which two runs within M bits saw different data
  std::size_t contradictions = 0;  ///< seeds with two quick successes from identical data: must be 0
  std::size_t undecided = 0;       ///< runs whose success stayed undecided at the precision cap
  long undecided_bits = 0;         ///< the precision they reached
  /// max_j of the fraction of seeds that failed or read beyond M on V(j, n).
  double worst_need_fraction() const;
};

DataNeedEstimate estimate_data_need(const FamilyParams& base, const Algorithm& algorithm, long M,
                                    std::size_t trials, std::uint64_t first_seed = 0, const PlaySettings& play = {});

}  // namespace barriers::impossibility
