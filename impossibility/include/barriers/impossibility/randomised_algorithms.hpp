// Randomised algorithms for the theorem's class (theorem_class.hpp).
//
// The theorem bounds every randomised algorithm, including ones whose read
// precision and output both depend on their coin flips. These are played
// against it: each draws its coins from a generator seeded by the `seed`
// argument, so a run is reproducible and two members played with the same
// seed use the same coins (the coupling the two-point argument needs).
#pragma once

#include <string>
#include <vector>

#include "barriers/impossibility/theorem_class.hpp"

namespace barriers::impossibility {

/// One coarse query, then the vertex t e_J of the scale it shows, J uniform in 1..N1.
Algorithm random_vertex(const FamilyParams& base);

/// Mixes reading deeper with guessing: draws a budget M = coarse_bits + G
/// with G geometric of mean `mean_extra_bits`, runs the decider with that
/// budget (on either scale: on scale K it compares column norms too) and,
/// if the budget runs out undecided, guesses a vertex uniformly.
Algorithm random_depth_guesser(const FamilyParams& base, double mean_extra_bits = 8);

/// One query at a precision m drawn uniformly from coarse_bits..coarse_bits
/// + `spread`, then the vertex of the largest head column of A_m as read
/// (not certified; exact ties broken uniformly at random).
Algorithm random_precision_argmax(const FamilyParams& base, long spread = 24);

/// One coarse query, then a uniformly random point on the segment between
/// two distinct vertices chosen uniformly: a continuous output distribution.
Algorithm random_segment(const FamilyParams& base);

struct NamedAlgorithm {
  std::string name;
  Algorithm algorithm;
};

/// All of the above with their default parameters, in that order.
std::vector<NamedAlgorithm> randomised_algorithms(const FamilyParams& base);

}  // namespace barriers::impossibility
