// Certified Euclidean distance from an exact output to an exact minimiser.
// Compare these intervals with thresholds (such as 10^-K) only through the
// three-valued comparisons of certified_compare.hpp, raising the precision
// with decide_with_retry while undecided (its header shows the pattern).
#pragma once

#include <vector>

#include "barriers/oracle/enclosure.hpp"

namespace barriers::impossibility {

/// Enclosure precision for distances that are compared with 10^-K: the
/// square root's rounding grid 2^-(bits/2) = 2^-(3.5 K + 64) stays below
/// 10^-K 2^-64 for every K (10^-K = 2^-3.33 K).
inline long distance_precision(long K) { return 7 * K + 128; }

/// [lo, hi] containing ||phi - x||_2, where phi is exact and x is enclosed
/// at `precision_bits`; the square root is rounded outward on a grid of
/// 2^-(precision_bits/2). Throws std::invalid_argument on a size mismatch.
oracle::Interval certified_distance(const std::vector<rational>& phi, const oracle::ExactMatrix& x,
                                    long precision_bits);

/// [lo, hi] containing ||x1 - x2||_2 for two exact columns of the same size.
oracle::Interval certified_separation(const oracle::ExactMatrix& x1, const oracle::ExactMatrix& x2,
                                      long precision_bits);

}  // namespace barriers::impossibility
