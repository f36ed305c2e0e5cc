// NumPy .npy files for the command line's matrix input and output: the
// format the published code's data and Python users exchange (issue 13).
// Only what a dense double matrix needs is read: little-endian float64
// ('<f8') or complex128 ('<c16'), in C or Fortran order, 1-D (a column) or
// 2-D; every value is a double, so it is converted to an exact rational
// without rounding.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::cli {

/// Reads a .npy file (format versions 1.0, 2.0 and 3.0) from `in`, named
/// `source` in errors; `bytes` is the stream's size when known, and then
/// must match the header's shape exactly. Throws std::invalid_argument
/// "SOURCE: what is wrong" for a bad magic string or header, another dtype
/// (big-endian, float32, integer, object, structured), more than two
/// dimensions, an empty array, a truncated or over-long file, NaN or Inf.
oracle::RationalMatrix read_npy(std::istream& in, const std::string& source,
                                std::optional<std::uintmax_t> bytes = std::nullopt);

/// The bytes of a version 1.0 .npy file holding the rows x cols matrix with
/// real parts `re` and imaginary parts `im` (row-major; `im` empty: '<f8',
/// else '<c16'), in C order.
std::string npy_bytes(std::size_t rows, std::size_t cols, const std::vector<double>& re,
                      const std::vector<double>& im = {});

}  // namespace barriers::cli
