// Training sets for the Table 1 experiment (THEORY.md section 4).
//
// Sample k: x_k has the fixed head t e_j on the first N1 entries (the
// minimiser's) and `sparsity` random N(0,1)/||a|| entries at random distinct
// positions of the N2 tail; y_k = A x_k exactly. Random values are doubles
// drawn from a seeded, portable generator, then used as exact rationals.
#pragma once

#include <cstdint>
#include <vector>

#include "barriers/impossibility/family.hpp"
#include "barriers/oracle/training_set.hpp"

namespace barriers::impossibility {

struct TrainingSamples {
  oracle::TrainingData data;               ///< A and the samples y_k = A x_k
  std::vector<oracle::ExactMatrix> x;      ///< the exact targets x_k
};

/// `count` samples of member j; sparsity must be <= N2. Same seed, same samples.
TrainingSamples make_training_samples(const FamilyParams& params, std::size_t j, std::size_t count,
                                      std::uint64_t seed, std::size_t sparsity = 5);

}  // namespace barriers::impossibility
