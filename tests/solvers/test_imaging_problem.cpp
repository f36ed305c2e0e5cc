// The imaging problem builder: A = P_Omega U W^* with the requested pattern,
// x_true = W image, y_clean = P_Omega U image (checked against U applied to
// the image directly), ||A|| <= norm_bound, the noise norm, reproducibility,
// weights, and every refused setting.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "barriers/solvers/operator_norm.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {

template <class T>
void check_problem(SamplingKind sampling, ImageShape shape, PatternKind pattern) {
  using R = real_of<T>;
  using std::abs;
  ImagingSpec spec;
  spec.sampling = sampling;
  spec.pattern = pattern;
  spec.rate = 0.25;
  spec.noise = 0.05;
  spec.seed = 7;
  const Matrix<R> image = shepp_logan<R>(shape);
  const ImagingProblem<T> p = make_imaging_problem<T>(image, spec);
  const R u = unit_roundoff<T>();
  const Eigen::Index N = shape.size(), m = samples_for_rate(0.25, N);

  CHECK(p.spec.levels == default_wavelet_levels(shape));
  CHECK(p.A->rows() == m);
  CHECK(p.A->cols() == N);
  CHECK(p.pattern.indices == p.A->omega());
  CHECK(p.level_starts == p.wavelet->level_starts());
  CHECK(p.level_starts.size() == std::size_t(p.spec.levels + 2));

  // ||A|| <= 1 exactly; the certified bound is 1 + O(u log N) and above the
  // power method's estimate from below.
  CHECK(p.A->norm_bound() >= 1);
  CHECK(p.A->norm_bound() <= 1 + 4096 * u);
  CHECK(power_iteration(*p.A, 30) <= p.A->norm_bound());

  // y_clean against U applied to the image itself, sampled on Omega. The two
  // differ by U applied to W^* W image - image: W's rounding twice and U's
  // (each within A.delta()), plus the stored filter's defect from
  // orthogonality, O(N u) (the margin test_sampled_transform uses).
  const Vector<T> pixels = Eigen::Map<const Vector<R>>(image.data(), N).template cast<T>();
  Vector<T> full;
  if (sampling == SamplingKind::walsh) {
    full = WalshHadamard<T>(shape).forward(pixels);
  } else if constexpr (number_traits<T>::is_complex) {
    full = FourierTransform<T>(shape).forward(pixels);
  }
  Vector<T> direct(m);
  for (Eigen::Index r = 0; r < m; ++r) direct(r) = full(p.A->omega()[std::size_t(r)]);
  const R img_norm = R(pixels.norm());
  CHECK(R((p.y_clean - direct).norm()) <= (3 * p.A->delta() + 64 * R(N) * u) * img_norm);
  CHECK(R((p.y_clean - p.A->forward(p.x_true)).norm()) == 0);  // y_clean is exactly A x_true

  // The synthesis of x_true gives the image back (W's rounding both ways
  // plus the filter defect, as above).
  const Matrix<R> back = image_from_coefficients(p, p.x_true);
  CHECK(R((back - image).norm()) <= (3 * p.wavelet->rounding_bound() + 64 * R(N) * u) * img_norm);

  // Noise: ||e|| = level ||y_clean|| to relative_noise's rounding ((m + 8) u,
  // noise.hpp), and y - y_clean recovers e up to the rounding of the sum y
  // (u |y_i| per part, <= 2 u ||y|| in all).
  const R yc = R(p.y_clean.norm());
  CHECK(p.eta > 0);
  CHECK(abs(p.eta - R(0.05) * yc) <= R(m + 8) * u * R(0.05) * yc + 2 * u * R(p.y.norm()));

  // The same spec gives the same problem; another seed another pattern and noise.
  const ImagingProblem<T> q = make_imaging_problem<T>(image, spec);
  CHECK(q.A->omega() == p.A->omega());
  CHECK(q.y == p.y);
  spec.seed = 8;
  const ImagingProblem<T> r = make_imaging_problem<T>(image, spec);
  CHECK(r.y != p.y);
}

}  // namespace

TEST_CASE("imaging problem: Fourier in every complex type, Walsh in every type") {
  check_problem<std::complex<double>>(SamplingKind::fourier, {32, 32}, PatternKind::das);
  check_problem<std::complex<double>>(SamplingKind::fourier, {32, 16}, PatternKind::power);
  check_problem<std::complex<long double>>(SamplingKind::fourier, {16, 16}, PatternKind::radial);
  check_problem<std::complex<float128>>(SamplingKind::fourier, {16, 16}, PatternKind::half_half);
  check_problem<double>(SamplingKind::walsh, {32, 32}, PatternKind::das);
  check_problem<long double>(SamplingKind::walsh, {16, 16}, PatternKind::uniform);
  check_problem<float128>(SamplingKind::walsh, {16, 16}, PatternKind::power);
  check_problem<std::complex<double>>(SamplingKind::walsh, {16, 16}, PatternKind::das);
  PrecisionGuard guard(128);
  // 64 x 64 in MPFR (issue 9 asks the tests to reach it): 3 wavelet levels.
  check_problem<std::complex<mpfr_real>>(SamplingKind::fourier, {64, 64}, PatternKind::das);
  check_problem<mpfr_real>(SamplingKind::walsh, {64, 64}, PatternKind::das);
}

TEST_CASE("imaging problem: default levels, DAS level 0 fully sampled, noise 0") {
  CHECK(default_wavelet_levels({256, 256}) == 5);
  CHECK(default_wavelet_levels({64, 64}) == 3);
  CHECK(default_wavelet_levels({32, 32}) == 2);
  CHECK(default_wavelet_levels({16, 16}) == 1);
  CHECK(default_wavelet_levels({48, 64}) == 2);  // 48 / 8 = 6 < 8: the shorter side decides
  CHECK(default_wavelet_levels({24, 24}) == 1);  // 24 / 4 = 6 < 8
  CHECK(default_wavelet_levels({1024, 1024}) == 6);  // capped

  using T = std::complex<double>;
  ImagingSpec spec;  // fourier, das, rate 0.15, db4, noise 0.02
  spec.noise = 0;
  const ImagingProblem<T> p = make_imaging_problem<T>(shepp_logan<double>({64, 64}), spec);
  CHECK(p.spec.levels == 3);
  CHECK(p.spec.das_levels >= 4);
  CHECK(p.eta == 0);
  CHECK(p.y == p.y_clean);
  const std::vector<int> level =
      frequency_levels(p.shape, SpectrumLayout::fourier, RadiusMetric::euclidean, p.spec.das_levels);
  const std::set<Eigen::Index> sampled(p.A->omega().begin(), p.A->omega().end());
  Eigen::Index level0 = 0;
  for (std::size_t k = 0; k < level.size(); ++k)
    if (level[k] == 0) {
      ++level0;
      CHECK(sampled.count(Eigen::Index(k)) == 1);
    }
  // default_das_levels keeps level 0 at most half the samples.
  CHECK(2 * level0 <= p.A->rows());
}

TEST_CASE("imaging problem: weights from local sparsities") {
  using T = double;
  ImagingSpec spec;
  spec.sampling = SamplingKind::walsh;
  spec.wavelet = "haar";
  spec.levels = 2;
  const ImagingProblem<T> p = make_imaging_problem<T>(shepp_logan<double>({16, 16}), spec);
  // Levels: 4 x 4 approximation (16), 3 x 16 coarse details (48), 3 x 64 fine (192).
  REQUIRE(p.level_starts == std::vector<Eigen::Index>{0, 16, 64, 256});
  const Vector<double> w = weights_for(p, std::vector<long>{16, 8, 1});
  REQUIRE(w.size() == 256);
  // w_k = sqrt(s / s_k), s = 25, to the rounding of a quotient and a square root.
  const double u = 0x1p-53;
  CHECK(std::abs(w(0) - std::sqrt(25.0 / 16)) <= 4 * u);
  CHECK(std::abs(w(40) - std::sqrt(25.0 / 8)) <= 4 * u);
  CHECK(std::abs(w(255) - 5.0) <= 8 * u);
  // From x_true: energy fraction 1 keeps every nonzero coefficient, so each
  // level's count is at most its size, and the weights follow w^2 s_k = s.
  const Vector<double> we = weights_for(p, 1.0);
  REQUIRE(we.size() == 256);
  CHECK(we.minCoeff() > 0);
  CHECK_THROWS_AS(weights_for(p, std::vector<long>{1, 2}), std::invalid_argument);
}

TEST_CASE("imaging problem: refused settings") {
  const Matrix<double> img = shepp_logan<double>({32, 32});
  auto make = [&](ImagingSpec s, const Matrix<double>& im) { return make_imaging_problem<std::complex<double>>(im, s); };
  ImagingSpec s;
  // Fourier with a real type names the pair.
  try {
    make_imaging_problem<double>(img, s);
    FAIL("a real type with Fourier sampling was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("Fourier") != std::string::npos);
    CHECK(std::string(e.what()).find("complex") != std::string::npos);
  }
  for (double rate : {0.0, -0.1, 1.5, std::nan("")}) {
    ImagingSpec b = s;
    b.rate = rate;
    CHECK_THROWS_AS(make(b, img), std::invalid_argument);
  }
  for (double noise : {-0.01, std::nan(""), HUGE_VAL}) {
    ImagingSpec b = s;
    b.noise = noise;
    CHECK_THROWS_AS(make(b, img), std::invalid_argument);
  }
  for (const char* name : {"db0", "db21", "sym4", ""}) {
    ImagingSpec b = s;
    b.wavelet = name;
    CHECK_THROWS_AS(make(b, img), std::invalid_argument);
  }
  ImagingSpec b = s;
  b.levels = 6;  // 32 is not divisible by 64
  CHECK_THROWS_AS(make(b, img), std::invalid_argument);
  b = s;
  b.sampling = SamplingKind::walsh;  // 24 is not a power of two
  CHECK_THROWS_AS(make(b, shepp_logan<double>({24, 24})), std::invalid_argument);
  b = s;
  b.das_levels = 17;
  CHECK_THROWS_AS(make(b, img), std::invalid_argument);
  b = s;
  b.rate = 0.01;  // 10 samples cannot cover DAS level 0 of 2 levels
  b.das_levels = 2;
  CHECK_THROWS_AS(make(b, img), std::invalid_argument);
  Matrix<double> bad = img;
  bad(3, 4) = std::nan("");
  CHECK_THROWS_AS(make(s, bad), std::invalid_argument);
  CHECK_THROWS_AS(make(s, Matrix<double>(0, 0)), std::invalid_argument);
  CHECK_THROWS_AS(parse_sampling("radon"), std::invalid_argument);
  CHECK_THROWS_AS(parse_pattern("spiral"), std::invalid_argument);
  for (PatternKind k : {PatternKind::das, PatternKind::power, PatternKind::uniform, PatternKind::radial,
                        PatternKind::half_half})
    CHECK(parse_pattern(pattern_name(k)) == k);
  CHECK(parse_sampling(sampling_name(SamplingKind::walsh)) == SamplingKind::walsh);
}
