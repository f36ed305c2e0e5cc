// Validation of image shapes.
#include "barriers/solvers/imaging/image_shape.hpp"

#include <stdexcept>
#include <string>

namespace barriers {

void check_image_shape(const ImageShape& shape, const char* what) {
  // 2^31 per side keeps every side an int (FFTW's sizes); 2^36 pixels keeps
  // index arithmetic (products of two indices) far from overflow.
  constexpr Eigen::Index max_side = (Eigen::Index(1) << 31) - 1, max_pixels = Eigen::Index(1) << 36;
  if (shape.rows < 1 || shape.cols < 1 || shape.rows > max_side || shape.cols > max_side ||
      shape.rows * shape.cols > max_pixels)
    throw std::invalid_argument(std::string(what) + " has shape " + std::to_string(shape.rows) + " x " +
                                std::to_string(shape.cols) + "; each side must be in [1, 2^31) and the size at most 2^36.");
}

}  // namespace barriers
