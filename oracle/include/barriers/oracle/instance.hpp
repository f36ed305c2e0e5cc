// A problem instance (A, y) with exact data, and the built-in instances.
#pragma once

#include <istream>
#include <string>

#include "barriers/oracle/exact_matrix.hpp"

namespace barriers::oracle {

struct Instance {
  std::string name;
  ExactMatrix A;
  ExactMatrix y;  ///< a column, rows == A.rows()

  /// Throws std::invalid_argument when y is not a column of A's height.
  void validate() const;
};

/// Largest size accepted by the built-in instances (their enclosures cost
/// O(size^2) entries at the query precision).
inline constexpr std::size_t max_builtin_size = 1024;

/// A = orthonormal DCT-II of size n, y = A e_1 (so x = e_1 solves Ax = y).
Instance dct_instance(std::size_t n);
/// A = unitary DFT of size n, y = A e_1.
Instance dft_instance(std::size_t n);

/// Reads the rational-file format (docs/oracle.md):
///   # comments
///   A <rows> <cols>
///   <rows*cols rationals, row-major: 3, -7/2, 0.125, 1e-3>
///   y <rows>
///   <rows rationals>
/// Decimals are read exactly (0.1 is 1/10). Throws std::invalid_argument
/// with "<source>:<line>: <what is wrong>" on malformed input.
Instance parse_rational_instance(std::istream& in, const std::string& source);
Instance read_rational_instance(const std::string& path);

/// Exact rational value of a token: integer, p/q, or decimal with optional
/// exponent. Throws std::invalid_argument naming the token otherwise.
rational parse_rational(const std::string& token);

}  // namespace barriers::oracle
