// Built-in test images of any size (rows x cols >= 1, powers of two or not),
// entries in [0, 1], computed in the working type R.
//
// Pixel (i, j) is sampled at its centre (x_j, y_i) in [-1, 1]^2, x_j =
// (2 j + 1 - cols) / cols to the right, y_i = (rows - 1 - 2 i) / rows upward
// (the convention of MATLAB's phantom(), with cell centres instead of edge
// points so that every size works). A pixel inside several ellipses gets the
// sum of their intensities.
//  - shepp_logan: the modified Shepp-Logan phantom (10 ellipses, better
//    contrast than the original; parameters in phantom.cpp).
//  - random_ellipses: 5 to 15 ellipses with seeded random centres, axes,
//    angles and intensities in [0.1, 1], the sum divided by its maximum: of
//    the kind used for the published ellipse training data. The parameters
//    are exact binary fractions (53 random bits) in every type, so the same
//    seed draws the same ellipses in every type.
//  - text_detail: a smooth image (two Gaussian bumps, values in [0.1, 0.75])
//    plus the word "FIRENET" in a 5 x 7 pixel font at intensity +0.2, each
//    font pixel a square of max(1, min(rows, cols) / 128) pixels, centred
//    horizontally below the middle: small high-frequency detail on a
//    compressible background, for stability experiments (issue 10).
#pragma once

#include <cstdint>

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/solver_types.hpp"

namespace barriers {

/// Each throws std::invalid_argument (check_image_shape) for a bad shape.
template <class R>
Matrix<R> shepp_logan(ImageShape shape);
template <class R>
Matrix<R> random_ellipses(ImageShape shape, std::uint64_t seed);
template <class R>
Matrix<R> text_detail(ImageShape shape);

#define BARRIERS_X(R)                                                  \
  extern template Matrix<R> shepp_logan<R>(ImageShape);                \
  extern template Matrix<R> random_ellipses<R>(ImageShape, std::uint64_t); \
  extern template Matrix<R> text_detail<R>(ImageShape);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
