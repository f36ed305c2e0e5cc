// Built-in phantoms; see phantom.hpp.
#include "barriers/solvers/imaging/phantom.hpp"

#include <boost/math/constants/constants.hpp>
#include <algorithm>
#include <string_view>
#include <vector>

#include "barriers/solvers/imaging/bitmap_font.hpp"
#include "seeded_uniform.hpp"

namespace barriers {
namespace {

// An ellipse: intensity, semi-axes a (along its x) and b, centre, rotation
// (counter-clockwise, in degrees) -- all in R.
template <class R>
struct Ellipse {
  R intensity, a, b, x0, y0, degrees;
};

template <class R>
R pixel_x(Eigen::Index j, Eigen::Index cols) {
  return R(2 * j + 1 - cols) / R(cols);
}
template <class R>
R pixel_y(Eigen::Index i, Eigen::Index rows) {
  return R(rows - 1 - 2 * i) / R(rows);
}

template <class R>
Matrix<R> render(ImageShape shape, const std::vector<Ellipse<R>>& ellipses) {
  using std::cos, std::sin;
  check_image_shape(shape, "phantom");
  Matrix<R> image = Matrix<R>::Zero(shape.rows, shape.cols);
  const R degree = boost::math::constants::pi<R>() / 180;
  for (const Ellipse<R>& e : ellipses) {
    const R c = cos(e.degrees * degree), s = sin(e.degrees * degree);
    for (Eigen::Index j = 0; j < shape.cols; ++j) {
      const R dx = pixel_x<R>(j, shape.cols) - e.x0;
      for (Eigen::Index i = 0; i < shape.rows; ++i) {
        const R dy = pixel_y<R>(i, shape.rows) - e.y0;
        const R u = (dx * c + dy * s) / e.a, v = (dy * c - dx * s) / e.b;
        if (u * u + v * v <= 1) image(i, j) += e.intensity;
      }
    }
  }
  return image;
}

// p / 10000 in R (one rounding): the tabulated parameters are decimals.
template <class R>
R dec(long p) {
  return R(p) / R(10000);
}

}  // namespace

template <class R>
Matrix<R> shepp_logan(ImageShape shape) {
  // Modified Shepp-Logan phantom: the ellipses of L. A. Shepp and B. F.
  // Logan, "The Fourier reconstruction of a head section", IEEE Trans.
  // Nucl. Sci. 21 (1974), with the higher-contrast intensities of P. A.
  // Toft, "The Radon Transform: Theory and Implementation", PhD thesis, DTU
  // (1996) (the 'Modified Shepp-Logan' of MATLAB's phantom()). Columns:
  // intensity, a, b, x0, y0 (times 10^-4), angle in degrees.
  static const long table[10][6] = {
      {10000, 6900, 9200, 0, 0, 0},          {-8000, 6624, 8740, 0, -184, 0},
      {-2000, 1100, 3100, 2200, 0, -18},      {-2000, 1600, 4100, -2200, 0, 18},
      {1000, 2100, 2500, 0, 3500, 0},         {1000, 460, 460, 0, 1000, 0},
      {1000, 460, 460, 0, -1000, 0},          {1000, 460, 230, -800, -6050, 0},
      {1000, 230, 230, 0, -6060, 0},          {1000, 230, 460, 600, -6050, 0}};
  std::vector<Ellipse<R>> e;
  for (const auto& t : table) e.push_back({dec<R>(t[0]), dec<R>(t[1]), dec<R>(t[2]), dec<R>(t[3]), dec<R>(t[4]), R(t[5])});
  Matrix<R> image = render(shape, e);
  // The sums lie in [0, 1] exactly; rounding can leave -1e-17 where +0.2
  // and -0.2 meet, which is clamped.
  return image.cwiseMax(R(0)).cwiseMin(R(1));
}

template <class R>
Matrix<R> random_ellipses(ImageShape shape, std::uint64_t seed) {
  check_image_shape(shape, "phantom");
  std::mt19937_64 rng(seed);
  const auto uniform = [&](double lo, double hi) {  // lo + (hi - lo) U in R, U exact
    return R(lo) + (R(hi) - R(lo)) * R(imaging_detail::uniform53(rng));
  };
  const int count = 5 + int(imaging_detail::uniform_below(rng, 11));
  std::vector<Ellipse<R>> e;
  for (int k = 0; k < count; ++k) {
    Ellipse<R> el;
    el.intensity = uniform(0.1, 1.0);
    el.a = uniform(0.05, 0.45);
    el.b = uniform(0.05, 0.45);
    el.x0 = uniform(-0.6, 0.6);
    el.y0 = uniform(-0.6, 0.6);
    el.degrees = uniform(0, 180);
    e.push_back(el);
  }
  Matrix<R> image = render(shape, e);
  const R top = image.maxCoeff();
  if (top > 0) image /= top;
  return image;
}

template <class R>
Matrix<R> text_detail(ImageShape shape) {
  using std::exp;
  check_image_shape(shape, "phantom");
  Matrix<R> image(shape.rows, shape.cols);
  for (Eigen::Index j = 0; j < shape.cols; ++j)
    for (Eigen::Index i = 0; i < shape.rows; ++i) {
      const R x = pixel_x<R>(j, shape.cols), y = pixel_y<R>(i, shape.rows);
      const R x2 = x + R(4) / 10, y2 = y - R(3) / 10;
      image(i, j) = R(1) / 10 + R(55) / 100 * exp(-(x * x * 2 + y * y * R(10) / 3)) +
                    R(1) / 10 * exp(-(x2 * x2 + y2 * y2) * 20);
    }
  // The word, in the 5 x 7 bitmap font, centred at 5/8 of the height.
  static constexpr std::string_view word = "FIRENET";
  const Eigen::Index scale = std::max<Eigen::Index>(1, std::min(shape.rows, shape.cols) / 128);
  const Eigen::Index width = text_width(word, scale), height = glyph_height * scale;
  const Eigen::Index left = (shape.cols - width) / 2, top = shape.rows * 5 / 8 - height / 2;
  const R ink = R(2) / 10;
  for_each_text_pixel(word, scale, [&](long r, long c) {
    const Eigen::Index i = top + r, j = left + c;
    if (i >= 0 && i < shape.rows && j >= 0 && j < shape.cols) image(i, j) += ink;
  });
  return image;
}

#define BARRIERS_X(R)                                           \
  template Matrix<R> shepp_logan<R>(ImageShape);                \
  template Matrix<R> random_ellipses<R>(ImageShape, std::uint64_t); \
  template Matrix<R> text_detail<R>(ImageShape);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
