// CSV reader (cli/src/matrix_file.cpp): any bytes, read as a matrix file.
#include <stdexcept>

#include "fuzz_input.hpp"
#include "matrix_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(barriers::fuzz::as_string(data, size));
  try {
    const barriers::oracle::RationalMatrix m = barriers::cli::parse_matrix_text(in, "fuzz.csv", size);
    if (m.re.size() != m.rows * m.cols || m.rows == 0 || m.cols == 0) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
