// Reading matrices and vectors for `barriers solve`: CSV (one row per line),
// Matrix Market array format, .npy and .mat. Numbers are read exactly as rationals, so
// a value with more digits than double holds keeps them until it is rounded
// once to the working precision.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::cli {

/// Reads PATH: by its extension a NumPy .npy file (npy.hpp) or a MATLAB
/// .mat file (matfile.hpp; FILE.mat:NAME reads variable NAME), otherwise by
/// its content: a file starting with "%%MatrixMarket" is
/// Matrix Market (matrix array real|integer|complex general; any other
/// banner is an error), anything else CSV (comma- or whitespace-separated,
/// '#' comments, real). Refuses directories, devices and pipes up front.
/// Throws std::invalid_argument with "PATH:LINE: what is wrong" on malformed
/// input, NaN or Inf, ragged rows, or claimed sizes the file cannot hold.
oracle::RationalMatrix read_matrix_file(const std::string& path);

/// The same from a seekable stream named `source`; `bytes` is its size when
/// known (claimed sizes are checked against it).
oracle::RationalMatrix parse_matrix_text(std::istream& in, const std::string& source,
                                         std::optional<std::uintmax_t> bytes = std::nullopt);

}  // namespace barriers::cli
