// Sampling patterns: exact counts, distinct sorted indices, reproducibility,
// the operators' index conventions, level counts and the measured density
// shape of each pattern.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/sampling_pattern.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"

using namespace barriers;

namespace {

void check_valid(const SamplingPattern& p, Eigen::Index m) {
  REQUIRE(Eigen::Index(p.indices.size()) == m);
  for (std::size_t k = 0; k < p.indices.size(); ++k) {
    CHECK(p.indices[k] >= 0);
    CHECK(p.indices[k] < p.shape.size());
    if (k > 0) CHECK(p.indices[k - 1] < p.indices[k]);  // ascending, hence no duplicates
  }
}

// Fraction of the coefficients with normalised Euclidean radius in [lo, hi)
// that the pattern samples (Fourier layout, radius as in the header).
double density(const SamplingPattern& p, double lo, double hi) {
  const std::vector<bool> mask = p.mask();
  long in = 0, hit = 0;
  for (Eigen::Index k = 0; k < p.shape.size(); ++k) {
    const double a1 = 2.0 * double(signed_frequency(k % p.shape.rows, p.shape.rows)) / double(p.shape.rows);
    const double a2 = 2.0 * double(signed_frequency(k / p.shape.rows, p.shape.cols)) / double(p.shape.cols);
    const double r = std::sqrt(a1 * a1 + a2 * a2);
    if (r >= lo && r < hi) ++in, hit += mask[std::size_t(k)];
  }
  REQUIRE(in > 0);
  return double(hit) / double(in);
}

}  // namespace

TEST_CASE("Fourier index conventions: signed frequency and centred position") {
  const std::int64_t f5[] = {0, 1, 2, -2, -1}, f4[] = {0, 1, -2, -1};
  for (int k = 0; k < 5; ++k) CHECK(signed_frequency(k, 5) == f5[k]);
  for (int k = 0; k < 4; ++k) CHECK(signed_frequency(k, 4) == f4[k]);
  CHECK(centred_position(0, 4) == 2);  // zero frequency in the middle (fftshift)
  CHECK(centred_position(0, 5) == 2);
  CHECK(centred_position(3, 5) == 0);  // frequency -2 leftmost
  CHECK(samples_for_rate(0.15, 1000) == 150);
  CHECK(samples_for_rate(1e-9, 1000) == 1);
  CHECK_THROWS_AS(samples_for_rate(0, 10), std::invalid_argument);
  CHECK_THROWS_AS(samples_for_rate(1.5, 10), std::invalid_argument);
  CHECK_THROWS_AS(samples_for_rate(std::nan(""), 10), std::invalid_argument);
}

TEST_CASE("every pattern has exactly m distinct indices and is reproducible") {
  const ImageShape shapes[] = {{64, 64}, {48, 80}, {37, 1}, {256, 1}};
  for (const ImageShape s : shapes)
    for (const SpectrumLayout layout : {SpectrumLayout::fourier, SpectrumLayout::walsh})
      for (const Eigen::Index m : {Eigen::Index(1), s.size() / 7, s.size() / 2, s.size()}) {
        if (m < 1) continue;
        CAPTURE(s.rows);
        CAPTURE(s.cols);
        CAPTURE(m);
        std::vector<SamplingPattern> p = {uniform_pattern(s, m, 7), power_law_pattern(s, layout, m, 7),
                                          half_half_pattern(s, layout, m, 7)};
        if (!s.is_1d()) p.push_back(radial_pattern(s, layout, m, 7));
        const std::vector<int> levels = frequency_levels(s, layout, RadiusMetric::euclidean, 3);
        const Eigen::Index level0 = std::count(levels.begin(), levels.end(), 0);
        if (m >= level0) p.push_back(das_pattern(s, layout, RadiusMetric::euclidean, 3, m, 7));
        for (const SamplingPattern& q : p) check_valid(q, m);
        // Same seed, same pattern; another seed, another one (when there is a choice).
        CHECK(uniform_pattern(s, m, 7).indices == p[0].indices);
        CHECK(power_law_pattern(s, layout, m, 7).indices == p[1].indices);
        CHECK(half_half_pattern(s, layout, m, 7).indices == p[2].indices);
        if (!s.is_1d()) CHECK(radial_pattern(s, layout, m, 7).indices == p[3].indices);
        if (m == s.size() / 2 && s.size() >= 64) {
          CHECK(uniform_pattern(s, m, 8).indices != p[0].indices);
          CHECK(power_law_pattern(s, layout, m, 8).indices != p[1].indices);
        }
      }
}

TEST_CASE("patterns: bad arguments are refused") {
  const ImageShape s{16, 16};
  CHECK_THROWS_AS(uniform_pattern(s, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(uniform_pattern(s, 257, 1), std::invalid_argument);
  CHECK_THROWS_AS(uniform_pattern({0, 16}, 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(uniform_pattern({65536, 1}, 1, 1), std::invalid_argument);
  CHECK_THROWS_AS(radial_pattern({64, 1}, SpectrumLayout::fourier, 10, 1), std::invalid_argument);
  CHECK_THROWS_AS(half_half_pattern(s, SpectrumLayout::fourier, 10, 1, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(frequency_levels(s, SpectrumLayout::fourier, RadiusMetric::euclidean, 0), std::invalid_argument);
  CHECK_THROWS_AS(frequency_levels(s, SpectrumLayout::fourier, RadiusMetric::euclidean, 17), std::invalid_argument);
  CHECK_THROWS_AS(das_level_counts({4, 12}, 3), std::invalid_argument);   // cannot fill level 0
  CHECK_THROWS_AS(das_level_counts({4, 12}, 17), std::invalid_argument);  // more than N
  CHECK_THROWS_AS(das_level_counts({4, 12}, 8, 0.5), std::invalid_argument);
  const std::vector<int> lv(256, 0);
  CHECK_THROWS_AS(multilevel_pattern(s, lv, {257}, 1), std::invalid_argument);
  CHECK_THROWS_AS(multilevel_pattern(s, std::vector<int>(10, 0), {5}, 1), std::invalid_argument);
}

TEST_CASE("das_level_counts: level 0 full, the rest by water filling") {
  // sizes 4, 12, 48, 192, m = 100, decay 2 (densities 1/2, 1/4, 1/8 beyond
  // level 0): c (6 + 12 + 24) = 96 gives level 1 density 1.14 > 1, so level
  // 1 is full; then c (12 + 24) = 84, c = 7/3: level 2 gets 48 c / 4 = 28,
  // level 3 gets 192 c / 8 = 56. 4 + 12 + 28 + 56 = 100.
  CHECK(das_level_counts({4, 12, 48, 192}, 100) == std::vector<Eigen::Index>{4, 12, 28, 56});
  CHECK(das_level_counts({4, 12, 48, 192}, 4) == std::vector<Eigen::Index>{4, 0, 0, 0});
  CHECK(das_level_counts({4, 12, 48, 192}, 256) == std::vector<Eigen::Index>{4, 12, 48, 192});
  // Non-integer shares are rounded by largest remainder and still sum to m.
  const std::vector<Eigen::Index> c = das_level_counts({1, 3, 12, 48}, 20, 3);
  CHECK(c[0] == 1);
  long sum = 0;
  for (std::size_t k = 0; k < c.size(); ++k) sum += c[k];
  CHECK(sum == 20);
}

TEST_CASE("Walsh square levels are the dyadic sequency blocks") {
  const ImageShape s{64, 64};
  const std::vector<int> level = frequency_levels(s, SpectrumLayout::walsh, RadiusMetric::square, 4);
  for (Eigen::Index k2 = 0; k2 < 64; ++k2)
    for (Eigen::Index k1 = 0; k1 < 64; ++k1) {
      const Eigen::Index top = std::max(k1, k2);
      const int expected = top < 8 ? 0 : top < 16 ? 1 : top < 32 ? 2 : 3;
      CHECK(level[std::size_t(k1 + 64 * k2)] == expected);
    }
}

TEST_CASE("DAS pattern: per-level counts honoured, level 0 fully sampled") {
  for (const ImageShape s : {ImageShape{128, 128}, ImageShape{96, 60}, ImageShape{512, 1}}) {
    const SpectrumLayout layout = SpectrumLayout::fourier;
    const int L = 5;
    const std::vector<int> level = frequency_levels(s, layout, RadiusMetric::euclidean, L);
    std::vector<Eigen::Index> sizes(L, 0);
    for (int l : level) ++sizes[std::size_t(l)];
    const Eigen::Index m = samples_for_rate(0.15, s.size());
    const std::vector<Eigen::Index> counts = das_level_counts(sizes, m);
    const SamplingPattern p = das_pattern(s, layout, RadiusMetric::euclidean, L, m, 3);
    check_valid(p, m);
    std::vector<Eigen::Index> got(L, 0);
    for (Eigen::Index k : p.indices) ++got[std::size_t(level[std::size_t(k)])];
    CHECK(got == counts);
    CHECK(got[0] == sizes[0]);
    // Density falls from level to level (by the decay factor until levels fill).
    for (int l = 1; l < L; ++l)
      if (sizes[std::size_t(l)] > 0 && sizes[std::size_t(l - 1)] > 0)
        CHECK(double(got[std::size_t(l)]) / double(sizes[std::size_t(l)]) <=
              double(got[std::size_t(l - 1)]) / double(sizes[std::size_t(l - 1)]));
  }
}

TEST_CASE("power-law pattern samples the centre more densely than the edge") {
  const ImageShape s{128, 128};
  const SamplingPattern p = power_law_pattern(s, SpectrumLayout::fourier, samples_for_rate(0.15, s.size()), 11);
  // Dyadic rings of normalised radius: the measured density must fall ring
  // by ring (inverse square law: roughly by 4 per ring once below 1).
  const double rings[] = {0, 1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 2};
  double previous = 2;
  for (int r = 0; r + 1 < 7; ++r) {
    const double d = density(p, rings[r], rings[r + 1]);
    CAPTURE(r);
    CAPTURE(d);
    CHECK(d <= previous);
    previous = d;
  }
  // Expected ring densities (sum of the inclusion probabilities min(1, c /
  // (1 + r^2)), c = 180.4, over each ring; computed separately): 1, 1, 1,
  // 0.939, 0.327, 0.069. The counts fluctuate by a few hundredths at most
  // (sd of the outer ring about 0.002).
  CHECK(density(p, 0, 1.0 / 8) == 1.0);  // the centre is fully sampled at 15%
  CHECK(density(p, 0.5, 2) < 0.1);       // the corners sparsely
  CHECK(density(p, 0.25, 0.5) > 3 * density(p, 0.5, 2));
}

TEST_CASE("half-half: the centre half is the innermost indices") {
  const ImageShape s{40, 50};
  const Eigen::Index m = 300;
  const SamplingPattern p = half_half_pattern(s, SpectrumLayout::fourier, m, 5);
  check_valid(p, m);
  // Every coefficient strictly inside the radius of the 150th-nearest one is sampled.
  std::vector<double> r(std::size_t(s.size()));
  for (Eigen::Index k = 0; k < s.size(); ++k) {
    const double a1 = 2.0 * double(signed_frequency(k % 40, 40)) / 40, a2 = 2.0 * double(signed_frequency(k / 40, 50)) / 50;
    r[std::size_t(k)] = a1 * a1 + a2 * a2;
  }
  std::vector<double> sorted = r;
  std::sort(sorted.begin(), sorted.end());
  const double cut = sorted[150 - 1];
  const std::vector<bool> mask = p.mask();
  long inner = 0;
  for (Eigen::Index k = 0; k < s.size(); ++k)
    if (r[std::size_t(k)] < cut) {
      CHECK(mask[std::size_t(k)]);
      ++inner;
    }
  CHECK(inner > 100);
  CHECK(density(p, 0.6, 2) > 0.02);  // and samples far out too
}

TEST_CASE("radial pattern: lines through the zero frequency") {
  const ImageShape s{96, 96};
  const SamplingPattern p = radial_pattern(s, SpectrumLayout::fourier, 1500, 2);
  check_valid(p, 1500);
  CHECK(p.mask()[0]);  // every line starts at the zero frequency
  CHECK(density(p, 0, 0.1) > 3 * density(p, 0.5, 1.0));
  const SamplingPattern w = radial_pattern(s, SpectrumLayout::walsh, 800, 2);
  check_valid(w, 800);
  CHECK(w.mask()[0]);
}

TEST_CASE("mask image and index list") {
  const ImageShape s{6, 5};
  const SamplingPattern p{s, {0, 7, 29}};
  const Matrix<double> f = mask_image(p, SpectrumLayout::fourier);
  CHECK(f.sum() == 3);
  CHECK(f(3, 2) == 1);  // index 0 (zero frequency) at the centre (6/2, 5/2)
  CHECK(f(4, 3) == 1);  // index 7 = (1, 1) -> (4, 3)
  CHECK(f(2, 1) == 1);  // index 29 = (5, 4) = frequency (-1, -1) -> (2, 1)
  const Matrix<double> w = mask_image(p, SpectrumLayout::walsh);
  CHECK(w(0, 0) == 1);
  CHECK(w(1, 1) == 1);
  CHECK(w(5, 4) == 1);
  CHECK(index_list(p) == "0\n7\n29\n");
}

TEST_CASE("the patterns' low frequencies are the operators' low frequencies") {
  // An image's energy sits at low frequencies. If the patterns' index
  // convention matched the operators' only up to a shift, the
  // centre-weighted patterns would sample high frequencies and capture
  // less energy than uniform sampling; they must capture far more.
  const ImageShape s{64, 64};
  const Matrix<double> img = shepp_logan<double>(s);
  const Vector<double> x = Eigen::Map<const Vector<double>>(img.data(), img.size());
  const Eigen::Index m = samples_for_rate(0.1, s.size());
  const auto captured = [&](const auto& y, const SamplingPattern& p) {
    double e = 0;
    for (Eigen::Index k : p.indices) e += std::norm(std::complex<double>(y(k)));
    return e / y.squaredNorm();
  };
  const Vector<std::complex<double>> fy = FourierTransform<std::complex<double>>(s).forward(x.cast<std::complex<double>>());
  const Vector<double> wy = WalshHadamard<double>(s).forward(x);
  const double fu = captured(fy, uniform_pattern(s, m, 1)), wu = captured(wy, uniform_pattern(s, m, 1));
  CAPTURE(fu);
  CAPTURE(wu);
  for (const SpectrumLayout layout : {SpectrumLayout::fourier, SpectrumLayout::walsh}) {
    const auto energy = [&](const SamplingPattern& p) {
      return layout == SpectrumLayout::fourier ? captured(fy, p) : captured(wy, p);
    };
    const double base = layout == SpectrumLayout::fourier ? fu : wu;
    CHECK(energy(power_law_pattern(s, layout, m, 1)) > base + 0.3);
    CHECK(energy(das_pattern(s, layout, RadiusMetric::euclidean, 4, m, 1)) > base + 0.3);
    CHECK(energy(half_half_pattern(s, layout, m, 1)) > base + 0.3);
    CHECK(energy(radial_pattern(s, layout, m, 1)) > base + 0.3);
  }
  // And index 0 is the zero frequency of both: the mean times sqrt(N).
  CHECK(std::abs(fy(0) - x.sum() / 64) < 1e-12);
  CHECK(std::abs(wy(0) - x.sum() / 64) < 1e-12);
}
