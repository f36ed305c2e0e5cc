// MATLAB .mat reader (cli/src/matfile.cpp). An input whose first byte is 0
// gets a valid level 5 header in place of that byte, so the fuzzer spends
// most of its time in the data elements; other inputs are read as they are
// (a real file starts with the text "MATLAB").
#include <stdexcept>

#include "fuzz_input.hpp"
#include "matfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes = barriers::fuzz::as_string(data, size);
  if (size > 0 && data[0] == 0) {
    std::string header = "MATLAB 5.0 MAT-file";
    header.resize(124, ' ');
    bytes = header + std::string("\x00\x01IM", 4) + bytes.substr(1);
  }
  try {
    const barriers::oracle::RationalMatrix m = barriers::cli::read_mat(bytes, "fuzz.mat");
    if (m.re.size() != m.rows * m.cols || m.rows == 0 || m.cols == 0 || (m.is_complex() && m.im.size() != m.re.size()))
      __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
