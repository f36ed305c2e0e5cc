// The shape of a 1-D signal or 2-D image, and how it is stored as a vector.
//
// Every imaging operator takes and returns a Vector<T>; an image with
// `rows` x `cols` pixels is stored column by column (pixel (i, j) at index
// i + rows * j, as Eigen and MATLAB store matrices). A 1-D signal of length
// N is the shape N x 1.
#pragma once

#include <Eigen/Core>

namespace barriers {

struct ImageShape {
  Eigen::Index rows = 1;
  Eigen::Index cols = 1;

  Eigen::Index size() const { return rows * cols; }
  bool is_1d() const { return cols == 1; }
};

/// Throws std::invalid_argument, naming `what` and the shape, unless both
/// sides are at least 1 and the pixel count fits comfortably in an index.
void check_image_shape(const ImageShape& shape, const char* what);

}  // namespace barriers
