// Reading matrices and vectors for `barriers solve`: CSV (one row per line)
// and Matrix Market array format. Numbers are read exactly as rationals, so
// a value with more digits than double holds keeps them until it is rounded
// once to the working precision.
#pragma once

#include <string>

#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::cli {

/// Reads PATH by its content: a file starting with "%%MatrixMarket" is
/// Matrix Market (array, real or complex, general), anything else CSV
/// (comma- or whitespace-separated, '#' comments, real). Throws
/// std::invalid_argument with "PATH:LINE: what is wrong" on malformed input,
/// NaN or Inf, or ragged rows.
oracle::RationalMatrix read_matrix_file(const std::string& path);

}  // namespace barriers::cli
