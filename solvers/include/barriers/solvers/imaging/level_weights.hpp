// Sparsity in levels of wavelet coefficients, and the FIRENET weights.
//
// The levels are the index ranges [starts[k], starts[k+1]) of
// WaveletTransform::level_starts() (coarsest approximation first). The
// local sparsity s_k of a coefficient vector x in level k is either
//  - energy: the fewest coefficients of level k whose squared moduli sum to
//    at least `fraction` of the level's energy ||x_k||^2 (largest first), or
//  - largest: how many of the s largest-modulus coefficients of the whole
//    vector lie in level k (ties broken by the lower index).
// A level with no energy (or none of the s largest) gets s_k = 1, the
// smallest count the weights allow (its weight is then the largest).
// The weights are w_k = sqrt(s / s_k), s = sum s_k (THEORY.md section 6),
// repeated over every coefficient of level k (sparsity_in_levels_weights in
// firenet.hpp computes them).
#pragma once

#include <vector>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

/// Throws std::invalid_argument unless starts are increasing from 0 to
/// x.size() and 0 < fraction <= 1.
template <class T>
std::vector<long> local_sparsities_energy(const Vector<T>& x, const std::vector<Eigen::Index>& starts,
                                          const real_of<T>& fraction);

/// Throws std::invalid_argument unless starts are as above and 1 <= s <= x.size().
template <class T>
std::vector<long> local_sparsities_largest(const Vector<T>& x, const std::vector<Eigen::Index>& starts, long s);

/// w_k = sqrt(s / s_k) on every index of level k: a vector of length
/// starts.back(). Throws std::invalid_argument for bad starts, a count that
/// differs from the number of levels, or s_k < 1.
template <class R>
Vector<R> level_weights(const std::vector<Eigen::Index>& starts, const std::vector<long>& sparsities);

#define BARRIERS_X(T)                                                                                            \
  extern template std::vector<long> local_sparsities_energy<T>(const Vector<T>&, const std::vector<Eigen::Index>&, \
                                                               const real_of<T>&);                             \
  extern template std::vector<long> local_sparsities_largest<T>(const Vector<T>&, const std::vector<Eigen::Index>&, long);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) \
  extern template Vector<R> level_weights<R>(const std::vector<Eigen::Index>&, const std::vector<long>&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
