// Phantoms: the modified Shepp-Logan values at points worked out by hand
// from the ellipse table, any size, every type; seeded random ellipses; the
// text-detail image's detail where it should be.
#include <doctest/doctest.h>

#include <cmath>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/phantom.hpp"

using namespace barriers;

namespace {
// The pixel whose centre is nearest to (x, y) in [-1, 1]^2 (phantom.hpp).
std::pair<Eigen::Index, Eigen::Index> pixel_at(double x, double y, ImageShape s) {
  const auto i = Eigen::Index(std::lround((double(s.rows) - 1 - y * double(s.rows)) / 2));
  const auto j = Eigen::Index(std::lround((x * double(s.cols) + double(s.cols) - 1) / 2));
  return {i, j};
}

template <class R>
void check_shepp_logan(ImageShape s) {
  const Matrix<R> p = shepp_logan<R>(s);
  REQUIRE(p.rows() == s.rows);
  REQUIRE(p.cols() == s.cols);
  CHECK(p.minCoeff() >= 0);
  CHECK(p.maxCoeff() <= 1);
  const R u = number_traits<R>::epsilon();
  const auto at = [&](double x, double y) {
    const auto [i, j] = pixel_at(x, y, s);
    return p(i, j);
  };
  // Values from the table: skull 1, brain 1 - 0.8, ventricles 0.2 - 0.2,
  // background 0, and 0.2 + 0.1 + 0.1 at (0, 0.12), inside the small
  // ellipse 6 and ellipse 5 (whose lower tip is at y = 0.1).
  using std::abs;
  CHECK(abs(at(0, 0.89) - 1) <= 4 * u);
  CHECK(abs(at(0, -0.3) - R(2) / 10) <= 4 * u);
  CHECK(at(0.22, 0) <= 4 * u);  // 1 - 0.8 - 0.2, clamped at 0
  CHECK(at(-0.22, 0) <= 4 * u);
  CHECK(at(0.9, 0.9) == 0);
  CHECK(abs(at(0, 0.12) - R(4) / 10) <= 8 * u);
  // Ellipses 8-10 make it asymmetric at the bottom; the ventricles are mirror images.
  CHECK(abs(at(0.3, 0) - at(-0.3, 0)) <= 4 * u);
}
}  // namespace

TEST_CASE("modified Shepp-Logan: values, any size, every type") {
  check_shepp_logan<double>({256, 256});
  check_shepp_logan<double>({255, 255});
  check_shepp_logan<double>({300, 200});
  check_shepp_logan<long double>({128, 128});
  check_shepp_logan<float128>({100, 100});
  PrecisionGuard guard(256);
  check_shepp_logan<mpfr_real>({64, 64});
  CHECK_THROWS_AS(shepp_logan<double>({0, 5}), std::invalid_argument);
}

TEST_CASE("random ellipses: seeded, in [0, 1], the same ellipses in every type") {
  const ImageShape s{96, 80};
  const Matrix<double> a = random_ellipses<double>(s, 42), b = random_ellipses<double>(s, 42),
                       c = random_ellipses<double>(s, 43);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a.minCoeff() >= 0);
  CHECK(a.maxCoeff() == 1);  // divided by its maximum
  CHECK((a.array() == 0).count() > 0);  // background left
  // The parameters are exact in both types, so the images differ only at the
  // rounding of ellipse boundaries and of the normalisation.
  const Matrix<long double> l = random_ellipses<long double>(s, 42);
  long close = 0;
  for (Eigen::Index k = 0; k < a.size(); ++k) close += std::abs(double(l(k)) - a(k)) < 1e-14;
  CHECK(close >= a.size() - 10);
}

TEST_CASE("text detail: a smooth image plus sharp strokes only in the text band") {
  for (const ImageShape s : {ImageShape{256, 256}, ImageShape{100, 130}}) {
    const Matrix<double> t = text_detail<double>(s);
    CHECK(t.minCoeff() >= 0.1 - 1e-12);
    CHECK(t.maxCoeff() <= 0.95 + 1e-12);
    // Horizontal jumps of the ink size (0.2) appear, and only in the rows of the text.
    const Eigen::Index scale = std::max<Eigen::Index>(1, std::min(s.rows, s.cols) / 128);
    const Eigen::Index top = s.rows * 5 / 8 - 7 * scale / 2;
    long jumps = 0;
    for (Eigen::Index i = 0; i < s.rows; ++i)
      for (Eigen::Index j = 0; j + 1 < s.cols; ++j)
        if (std::abs(t(i, j + 1) - t(i, j)) > 0.15) {
          ++jumps;
          CHECK(i >= top);
          CHECK(i < top + 7 * scale);
        }
    CHECK(jumps > 40);
    // Away from the text the image is smooth: neighbouring pixels differ by little.
    for (Eigen::Index j = 0; j + 1 < s.cols; ++j) CHECK(std::abs(t(5, j + 1) - t(5, j)) < 0.05);
  }
}
