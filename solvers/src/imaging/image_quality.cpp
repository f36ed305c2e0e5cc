// Image quality measures; see image_quality.hpp.
#include "barriers/solvers/imaging/image_quality.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace barriers {
namespace {

template <class R>
void check_pair(const Matrix<R>& x, const Matrix<R>& t) {
  if (t.size() == 0) throw std::invalid_argument("image quality of an empty image");
  if (x.rows() != t.rows() || x.cols() != t.cols())
    throw std::invalid_argument("image quality: the reconstruction is " + std::to_string(x.rows()) + " x " +
                                std::to_string(x.cols()) + " but the true image " + std::to_string(t.rows()) +
                                " x " + std::to_string(t.cols()));
}

constexpr int window = 11;

// The 11 x 11 Gaussian window (sigma 1.5), sum 1: the outer product of the
// normalised 1-D window with itself.
std::array<double, window> gaussian_1d() {
  std::array<double, window> g{};
  double sum = 0;
  for (int k = 0; k < window; ++k) {
    const double d = k - (window - 1) / 2;
    g[k] = std::exp(-d * d / (2 * 1.5 * 1.5));
    sum += g[k];
  }
  for (double& v : g) v /= sum;
  return g;
}

}  // namespace

template <class R>
R relative_image_error(const Matrix<R>& x, const Matrix<R>& truth) {
  check_pair(x, truth);
  const R t = R(truth.norm());
  if (!(t > 0)) throw std::invalid_argument("relative error against a zero true image");
  return R(R((x - truth).norm()) / t);
}

double psnr(const Matrix<double>& x, const Matrix<double>& truth) {
  check_pair(x, truth);
  const double peak = truth.maxCoeff();
  if (!(peak > 0)) throw std::invalid_argument("PSNR needs a true image with a positive maximum (the peak)");
  const double mse = (x - truth).squaredNorm() / double(truth.size());
  if (mse == 0) return std::numeric_limits<double>::infinity();
  return 10 * std::log10(peak * peak / mse);
}

double ssim(const Matrix<double>& x, const Matrix<double>& truth) {
  check_pair(x, truth);
  if (truth.rows() < window || truth.cols() < window) return std::numeric_limits<double>::quiet_NaN();
  const double range = truth.maxCoeff() - truth.minCoeff();
  const double D = range > 0 ? range : 1.0;
  const double C1 = (0.01 * D) * (0.01 * D), C2 = (0.03 * D) * (0.03 * D);
  const std::array<double, window> g = gaussian_1d();
  double total = 0;
  long count = 0;
  for (Eigen::Index j0 = 0; j0 + window <= truth.cols(); ++j0)
    for (Eigen::Index i0 = 0; i0 + window <= truth.rows(); ++i0) {
      double mx = 0, mt = 0, xx = 0, tt = 0, xt = 0;
      for (int b = 0; b < window; ++b)
        for (int a = 0; a < window; ++a) {
          const double w = g[a] * g[b], u = x(i0 + a, j0 + b), v = truth(i0 + a, j0 + b);
          mx += w * u;
          mt += w * v;
          xx += w * u * u;
          tt += w * v * v;
          xt += w * u * v;
        }
      const double sx = xx - mx * mx, st = tt - mt * mt, sxt = xt - mx * mt;
      total += (2 * mx * mt + C1) * (2 * sxt + C2) / ((mx * mx + mt * mt + C1) * (sx + st + C2));
      ++count;
    }
  return total / double(count);
}

#define BARRIERS_X(R) template R relative_image_error<R>(const Matrix<R>&, const Matrix<R>&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
