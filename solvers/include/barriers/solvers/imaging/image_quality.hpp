// How close a reconstruction x is to the true image t (real images of one
// shape).
//  - relative error ||x - t||_F / ||t||_F, in the working type R (so that
//    MPFR reconstructions can be judged far below double's epsilon);
//  - PSNR = 10 log10(peak^2 / MSE) dB, peak = max t (the true image's
//    maximum, not a nominal 1), MSE = mean (x - t)^2; +infinity when x = t;
//  - SSIM (Wang, Bovik, Sheikh, Simoncelli, IEEE TIP 13(4), 2004): the mean
//    over every 11 x 11 window lying entirely inside the image (no padding,
//    as in the authors' ssim_index.m) of
//      (2 mu_x mu_t + C1)(2 sigma_xt + C2) / ((mu_x^2 + mu_t^2 + C1)(sigma_x^2 + sigma_t^2 + C2)),
//    the means, variances and covariance weighted by the circular Gaussian
//    window with sigma 1.5 normalised to sum 1, C1 = (0.01 D)^2, C2 =
//    (0.03 D)^2, D = max t - min t the data range of the true image (1 when t
//    is constant). NaN for an image with a side below 11 (no window fits).
// PSNR and SSIM are computed in double from the images rounded to double.
#pragma once

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

/// Throws std::invalid_argument for different shapes, an empty image or t = 0.
template <class R>
R relative_image_error(const Matrix<R>& x, const Matrix<R>& truth);

/// Both throw std::invalid_argument for different shapes or an empty image;
/// psnr also when max t <= 0.
double psnr(const Matrix<double>& x, const Matrix<double>& truth);
double ssim(const Matrix<double>& x, const Matrix<double>& truth);

#define BARRIERS_X(R) extern template R relative_image_error<R>(const Matrix<R>&, const Matrix<R>&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
