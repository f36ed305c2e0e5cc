// A problem instance (A, y) with exact data, and the built-in instances.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
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
///   A <rows> <cols> [complex]
///   <rows*cols entries, row-major: 3, -7/2, 0.125, 1e-3>
///   y <rows> [complex]
///   <rows entries>
/// With `complex` each entry is two numbers, real then imaginary part.
/// Decimals are read exactly (0.1 is 1/10). Throws std::invalid_argument
/// with "<source>:<line>: <what is wrong>" on malformed input, and before
/// allocating anything when the header claims more numbers than `bytes`
/// (the size of the input, when known) or memory can hold.
Instance parse_rational_instance(std::istream& in, const std::string& source,
                                 std::optional<std::uintmax_t> bytes = std::nullopt);
/// Reads a rational-file from PATH; refuses directories, devices and pipes.
Instance read_rational_instance(const std::string& path);

/// Largest |E| accepted in a decimal exponent (1.5eE): 10^315652 < 2^(2^20)
/// < 10^315653, so a larger exponent scales a value beyond 2^(2^20), out of
/// reach of the widest working precision any command offers (2^20 bits)
/// relative to an O(1) value. The bound also caps the exact power 10^|E| at
/// about a megabit, so reading it takes milliseconds, not hours.
inline constexpr long max_decimal_exponent = 315652;

/// Exact rational value of a token: integer, p/q, or decimal with optional
/// exponent (|exponent| <= max_decimal_exponent), at most max_token_chars
/// characters. Throws std::invalid_argument quoting the token otherwise.
rational parse_rational(const std::string& token);

}  // namespace barriers::oracle
