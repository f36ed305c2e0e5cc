// Relative error, PSNR and SSIM on cases worked out by hand, and SSIM
// against a second, differently written evaluation (covariance form, long
// double, 2-D window built directly).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/image_quality.hpp"
#include "solver_test_support.hpp"

using namespace barriers;

namespace {

Matrix<double> random_image(Eigen::Index r, Eigen::Index c, std::uint64_t seed) {
  test::Gaussian g(seed);
  Matrix<double> m(r, c);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = 0.5 + 0.2 * g();
  return m;
}

// SSIM as the mean over 11 x 11 windows of l * c * s with the window
// moments in covariance form sum w (x - mu_x)(t - mu_t), in long double.
long double reference_ssim(const Matrix<double>& x, const Matrix<double>& t) {
  long double w[11][11], sum = 0;
  for (int a = 0; a < 11; ++a)
    for (int b = 0; b < 11; ++b) sum += w[a][b] = std::exp(-((a - 5) * (a - 5) + (b - 5) * (b - 5)) / 4.5L);
  const long double D = t.maxCoeff() - t.minCoeff(), C1 = (0.01L * D) * (0.01L * D), C2 = (0.03L * D) * (0.03L * D);
  long double total = 0;
  int count = 0;
  for (Eigen::Index i = 0; i + 11 <= t.rows(); ++i)
    for (Eigen::Index j = 0; j + 11 <= t.cols(); ++j) {
      long double mx = 0, mt = 0;
      for (int a = 0; a < 11; ++a)
        for (int b = 0; b < 11; ++b) {
          mx += w[a][b] / sum * x(i + a, j + b);
          mt += w[a][b] / sum * t(i + a, j + b);
        }
      long double vx = 0, vt = 0, cxt = 0;
      for (int a = 0; a < 11; ++a)
        for (int b = 0; b < 11; ++b) {
          const long double dx = x(i + a, j + b) - mx, dt = t(i + a, j + b) - mt;
          vx += w[a][b] / sum * dx * dx;
          vt += w[a][b] / sum * dt * dt;
          cxt += w[a][b] / sum * dx * dt;
        }
      total += (2 * mx * mt + C1) * (2 * cxt + C2) / ((mx * mx + mt * mt + C1) * (vx + vt + C2));
      ++count;
    }
  return total / count;
}

// How far the double evaluation's SSIM may be off: a window variance
// E[x^2] - mu^2 is two sums of 121 products that cancel, each off by at most
// gamma_123 E[x^2] <= 123 u peak2 (peak2 = the largest squared pixel), and
// it enters the ratio divided by a denominator factor >= C2 = (0.03 D)^2;
// three such terms (two variances and the covariance), times 2 for the
// rest of the ratio's few roundings.
double variance_rounding(double peak2, double D) {
  const double u = 0x1p-53;
  return 2 * 3 * 123 * u * peak2 / ((0.03 * D) * (0.03 * D));
}

}  // namespace

TEST_CASE("image quality: identical images") {
  const Matrix<double> t = random_image(16, 20, 1);
  CHECK(relative_image_error<double>(t, t) == 0);
  CHECK(psnr(t, t) == std::numeric_limits<double>::infinity());
  // Numerator and denominator agree up to a few roundings of O(1) terms.
  CHECK(std::abs(ssim(t, t) - 1) <= 1e-14);
}

TEST_CASE("image quality: constant shift, by hand") {
  // Truth constant 0.5 (range 0, so D = 1), x = 0.6 everywhere: every window
  // has zero variances, so SSIM = (2 * 0.5 * 0.6 + C1) / (0.25 + 0.36 + C1),
  // C1 = 1e-4. MSE = 0.01, peak 0.5: PSNR = 10 log10(25) dB.
  const Matrix<double> t = Matrix<double>::Constant(12, 15, 0.5);
  const Matrix<double> x = Matrix<double>::Constant(12, 15, 0.6);
  CHECK(std::abs(ssim(x, t) - 0.6001 / 0.6101) <= variance_rounding(0.36, 1.0));
  CHECK(std::abs(psnr(x, t) - 10 * std::log10(25.0)) <= 1e-12);
  // ||x - t|| / ||t|| = 0.1 / 0.5.
  CHECK(std::abs(relative_image_error<double>(x, t) - 0.2) <= 1e-15);
}

TEST_CASE("image quality: PSNR with peak = max of the truth") {
  Matrix<double> t = random_image(8, 8, 2);
  t(3, 3) = 2.0;  // the peak
  const Matrix<double> x = t.array() - 0.02;  // MSE = 4e-4
  CHECK(std::abs(psnr(x, t) - 10 * std::log10(4.0 / 4e-4)) <= 1e-10);
  CHECK_THROWS_AS(psnr(x, Matrix<double>::Constant(8, 8, -1.0)), std::invalid_argument);
}

TEST_CASE("image quality: SSIM against an independent evaluation") {
  const Matrix<double> t = random_image(14, 17, 3);
  const Matrix<double> noisy = t + 0.1 * random_image(14, 17, 4);
  const Matrix<double> flipped = -t.array() + 1.0;
  for (const Matrix<double>* x : {&noisy, &flipped}) {
    const double peak2 = std::max(x->array().square().maxCoeff(), t.array().square().maxCoeff());
    CHECK(std::abs(ssim(*x, t) - double(reference_ssim(*x, t))) <=
          variance_rounding(peak2, t.maxCoeff() - t.minCoeff()));
  }
  CHECK(ssim(flipped, t) < 0);  // negated structure: negative correlation
  CHECK(ssim(noisy, t) < 1);
  CHECK(std::isnan(ssim(random_image(10, 40, 5), random_image(10, 40, 6))));  // no 11 x 11 window fits
  CHECK_THROWS_AS(ssim(t, random_image(14, 16, 5)), std::invalid_argument);
}

TEST_CASE("image quality: relative error in MPFR resolves below double's epsilon") {
  PrecisionGuard guard(256);
  Matrix<mpfr_real> t = Matrix<mpfr_real>::Constant(4, 4, mpfr_real(1));
  Matrix<mpfr_real> x = t;
  x(1, 2) += mpfr_real("3e-40");
  // ||x - t|| / ||t|| = 3e-40 / 4 up to the rounding of 1 + 3e-40 (absolute
  // <= 2^-256 ~ 1e-77, divided by ||t|| = 4) and a few relative roundings.
  const mpfr_real e = relative_image_error<mpfr_real>(x, t);
  using std::abs;
  CHECK(abs(e - mpfr_real("0.75e-40")) <= mpfr_real("1e-77"));
  CHECK_THROWS_AS(relative_image_error<mpfr_real>(x, Matrix<mpfr_real>::Zero(4, 4)), std::invalid_argument);
}
