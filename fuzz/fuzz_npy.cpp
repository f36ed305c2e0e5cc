// NumPy .npy reader (cli/src/npy.cpp): every input starts with the magic
// string, so the fuzzer explores versions, header dictionaries, shapes and
// data; the stream's size is given, as when reading a file.
#include <stdexcept>

#include "fuzz_input.hpp"
#include "npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = "\x93NUMPY" + barriers::fuzz::as_string(data, size);
  for (const bool size_known : {true, false}) {
    std::istringstream in(bytes);
    try {
      const barriers::oracle::RationalMatrix m =
          size_known ? barriers::cli::read_npy(in, "fuzz.npy", bytes.size()) : barriers::cli::read_npy(in, "fuzz.npy");
      if (m.re.size() != m.rows * m.cols || m.rows == 0 || m.cols == 0 || (m.is_complex() && m.im.size() != m.re.size()))
        __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
