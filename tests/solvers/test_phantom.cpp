// Phantoms: the modified Shepp-Logan values at points worked out by hand
// from the ellipse table, any size, every type; seeded random ellipses; the
// text-detail image's detail where it should be; the bitmap font that sets its word.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/bitmap_font.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/stability/learned_tradeoff.hpp"

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

TEST_CASE("bitmap font: every glyph 5 x 7 of ink and background, widths, pixels, refusals") {
  const std::string all = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()[]+-*/|=.,:<>^_'";
  for (char c : all) {
    const char* const* rows = glyph_rows(c);
    long ink = 0;
    for (int r = 0; r < glyph_height; ++r) {
      REQUIRE(std::string(rows[r]).size() == std::size_t(glyph_width));
      for (int k = 0; k < glyph_width; ++k) {
        CHECK((rows[r][k] == '#' || rows[r][k] == '.'));
        ink += rows[r][k] == '#';
      }
    }
    CHECK((c == ' ' ? ink == 0 : ink > 0));
  }
  // Distinct glyphs (a copy-paste slip would make two characters look alike).
  for (std::size_t a = 0; a < all.size(); ++a)
    for (std::size_t b = a + 1; b < all.size(); ++b) {
      bool same = true;
      for (int r = 0; r < glyph_height; ++r) same = same && std::string(glyph_rows(all[a])[r]) == glyph_rows(all[b])[r];
      CHECK_MESSAGE(!same, all[a], " and ", all[b]);
    }
  CHECK(glyph_rows('q') == glyph_rows('Q'));
  CHECK_THROWS_WITH_AS(glyph_rows('~'), doctest::Contains("character code 126"), std::invalid_argument);
  CHECK(text_width("") == 0);
  CHECK(text_width("I") == 5);
  CHECK(text_width("Phi(A x)", 3) == (8 * 6 - 1) * 3);
  CHECK_THROWS_AS(text_width("x", 0), std::invalid_argument);
  // "I" at scale 2: its 11 ink pixels become 2 x 2 blocks inside 10 x 14.
  std::vector<std::pair<long, long>> px;
  for_each_text_pixel("I", 2, [&](long r, long c) { px.emplace_back(r, c); });
  CHECK(px.size() == 11 * 4);
  for (const auto& [r, c] : px) {
    CHECK((r >= 0 && r < 14 && c >= 0 && c < 10));
    CHECK(glyph_rows('I')[r / 2][c / 2] == '#');
  }
  // Text_detail's word is this font's "FIRENET": at 256 x 256 (scale 2) the
  // ink is exactly the word's pixels, each 0.2 above the smooth background.
  const ImageShape s{256, 256};
  long word = 0;
  for_each_text_pixel("FIRENET", 2, [&](long, long) { ++word; });
  const Matrix<double> ink = text_detail_ink<double>(s);
  CHECK((ink.array() > 0.1).count() == word);
}
