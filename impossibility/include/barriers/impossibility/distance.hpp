// Certified Euclidean distance from an exact output to an exact minimiser.
#pragma once

#include <vector>

#include "barriers/oracle/enclosure.hpp"

namespace barriers::impossibility {

/// [lo, hi] containing ||phi - x||_2, where phi is exact and x is enclosed
/// at `precision_bits`; the square root is rounded outward on a grid of
/// 2^-(precision_bits/2). Throws std::invalid_argument on a size mismatch.
oracle::Interval certified_distance(const std::vector<rational>& phi, const oracle::ExactMatrix& x,
                                    long precision_bits);

}  // namespace barriers::impossibility
