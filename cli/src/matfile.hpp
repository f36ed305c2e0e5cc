// MATLAB .mat files (level 5, as written by `save -v6` or
// scipy.io.savemat) for the command line's matrix input and output: the
// published code's MATLAB data (issue 13). Read: uncompressed dense double
// matrices, real or complex, of either byte order; the stored values may use
// any numeric storage type MATLAB picks for them (it saves integer-valued
// doubles as small integers), and each is converted to an exact rational.
// Refused with a message saying so: compressed elements (miCOMPRESSED, the
// default of `save` since v7), version 7.3 files (HDF5), sparse, cell,
// struct, object, char, logical, integer- and single-class arrays, more
// than two dimensions, empty arrays, NaN and Inf.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::cli {

/// Reads the variable `name` from the bytes of a .mat file named `source`
/// in errors; without a name the file must hold exactly one variable.
/// Throws std::invalid_argument "SOURCE: what is wrong".
oracle::RationalMatrix read_mat(std::string_view bytes, const std::string& source,
                                const std::optional<std::string>& name = std::nullopt);

/// The bytes of a level 5 .mat file (little-endian, uncompressed) holding
/// one double matrix `name` (rows x cols, real parts `re` and imaginary
/// parts `im` row-major; `im` empty: a real matrix).
std::string mat_bytes(const std::string& name, std::size_t rows, std::size_t cols, const std::vector<double>& re,
                      const std::vector<double>& im = {});

}  // namespace barriers::cli
