// Image reader (solvers/src/imaging/image_io.cpp): any bytes, decoded as a
// PNG or PGM file and converted to numbers in [0, 1].
#include <stdexcept>

#include "barriers/solvers/imaging/image_io.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const barriers::GreyPixels px = barriers::decode_image(barriers::fuzz::as_string(data, size), "fuzz");
    if (px.rows < 1 || px.cols < 1 || px.values.size() != std::size_t(px.rows * px.cols) || px.denominator == 0)
      __builtin_trap();
    for (const std::uint32_t v : px.values)
      if (v > px.denominator) __builtin_trap();
    const barriers::Matrix<double> image = barriers::to_image<double>(px);
    if (image.size() > 0 && (image.minCoeff() < 0 || image.maxCoeff() > 1)) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
