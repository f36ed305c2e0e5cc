// Certified entry-wise enclosures of an ExactMatrix, as exact rational
// intervals: lo <= entry <= hi for the real part (and the imaginary part).
//
// Computed with Arb ball arithmetic at a given working precision (bits);
// rational data give degenerate intervals lo == hi. This is the one place
// where irrational data become numbers.
#pragma once

#include <vector>

#include "barriers/oracle/exact_matrix.hpp"

namespace barriers::oracle {

struct Interval {
  rational lo, hi;
  rational mid() const { return (lo + hi) / 2; }
};

struct Enclosure {
  std::size_t rows = 0, cols = 0;
  std::vector<Interval> re;  ///< row-major
  std::vector<Interval> im;  ///< empty when the matrix is real
  bool exact = false;        ///< every interval is a single point
  long precision_bits = 0;   ///< Arb precision used (0 for exact data)

  bool is_complex() const { return !im.empty(); }
  /// Largest hi - lo over all entries.
  rational max_width() const;
  /// Upper bound on max |entry| (real and imaginary parts separately).
  rational max_abs() const;
};

/// Encloses every entry of m at `precision_bits` of working precision.
Enclosure enclose(const ExactMatrix& m, long precision_bits);

/// Encloses a real scalar (degenerate for rational ones). Throws
/// std::domain_error if the formula is not real.
Interval enclose(const ExactScalar& x, long precision_bits);

}  // namespace barriers::oracle
