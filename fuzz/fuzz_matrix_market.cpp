// Matrix Market reader (cli/src/matrix_file.cpp): every input starts with
// the banner keyword, so the fuzzer explores banner words, sizes and values.
#include <stdexcept>

#include "fuzz_input.hpp"
#include "matrix_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = "%%MatrixMarket " + barriers::fuzz::as_string(data, size);
  std::istringstream in(text);
  try {
    const barriers::oracle::RationalMatrix m = barriers::cli::parse_matrix_text(in, "fuzz.mtx", text.size());
    if (m.re.size() != m.rows * m.cols || (m.is_complex() && m.im.size() != m.re.size())) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
