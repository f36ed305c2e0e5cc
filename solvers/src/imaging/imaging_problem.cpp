// The imaging problem builder; see imaging_problem.hpp.
#include "barriers/solvers/imaging/imaging_problem.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/level_weights.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "barriers/solvers/imaging/wavelet_filter.hpp"

namespace barriers {
namespace {

std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string shape_text(ImageShape s) { return std::to_string(s.rows) + " x " + std::to_string(s.cols); }

SpectrumLayout layout_of(SamplingKind k) {
  return k == SamplingKind::fourier ? SpectrumLayout::fourier : SpectrumLayout::walsh;
}
RadiusMetric metric_of(SamplingKind k) {
  return k == SamplingKind::fourier ? RadiusMetric::euclidean : RadiusMetric::square;
}

SamplingPattern draw_pattern(const ImagingSpec& spec, ImageShape shape, Eigen::Index m) {
  const std::uint64_t seed = pattern_seed(spec.seed);
  const SpectrumLayout layout = layout_of(spec.sampling);
  switch (spec.pattern) {
    case PatternKind::das:
      return das_pattern(shape, layout, metric_of(spec.sampling), spec.das_levels, m, seed);
    case PatternKind::power:
      return power_law_pattern(shape, layout, m, seed);
    case PatternKind::uniform:
      return uniform_pattern(shape, m, seed);
    case PatternKind::radial:
      return radial_pattern(shape, layout, m, seed);
    case PatternKind::half_half:
      return half_half_pattern(shape, layout, m, seed);
  }
  throw std::invalid_argument("unknown sampling pattern");
}

template <class T>
OperatorPtr<T> measurement(SamplingKind kind, ImageShape shape, real_of<T>& delta) {
  if (kind == SamplingKind::walsh) {
    auto U = std::make_shared<const WalshHadamard<T>>(shape);
    delta = U->norm_bound() - 1;
    return U;
  }
  if constexpr (number_traits<T>::is_complex) {
    auto U = std::make_shared<const FourierTransform<T>>(shape);
    delta = U->norm_bound() - 1;
    return U;
  } else {
    throw std::invalid_argument(
        "Fourier sampling needs a complex scalar type (the measurements are complex); use walsh sampling with a "
        "real type");
  }
}

}  // namespace

SamplingKind parse_sampling(const std::string& name) {
  if (name == "fourier") return SamplingKind::fourier;
  if (name == "walsh") return SamplingKind::walsh;
  throw std::invalid_argument("unknown sampling '" + name + "'; allowed: fourier, walsh");
}

std::string sampling_name(SamplingKind kind) { return kind == SamplingKind::fourier ? "fourier" : "walsh"; }

PatternKind parse_pattern(const std::string& name) {
  for (PatternKind k : {PatternKind::das, PatternKind::power, PatternKind::uniform, PatternKind::radial,
                        PatternKind::half_half})
    if (name == pattern_name(k)) return k;
  throw std::invalid_argument("unknown sampling pattern '" + name +
                              "'; allowed: das, power, uniform, radial, half-half");
}

std::string pattern_name(PatternKind kind) {
  switch (kind) {
    case PatternKind::das: return "das";
    case PatternKind::power: return "power";
    case PatternKind::uniform: return "uniform";
    case PatternKind::radial: return "radial";
    case PatternKind::half_half: return "half-half";
  }
  return "?";
}

int default_wavelet_levels(ImageShape shape) {
  int L = 0;
  while (L < 6) {
    const Eigen::Index f = Eigen::Index(1) << (L + 1);
    if (shape.rows % f != 0 || (!shape.is_1d() && shape.cols % f != 0)) break;
    const Eigen::Index side = shape.is_1d() ? shape.rows : std::min(shape.rows, shape.cols);
    if (side / f < 8) break;
    ++L;
  }
  return std::max(L, 1);
}

int default_das_levels(ImageShape shape, SamplingKind sampling, int wavelet_levels, Eigen::Index m) {
  int L = std::clamp(wavelet_levels + 1, 1, 16);
  for (; L < 16; ++L) {
    const std::vector<int> level = frequency_levels(shape, layout_of(sampling), metric_of(sampling), L);
    Eigen::Index first = 0;
    for (int l : level) first += (l == 0);
    if (2 * first <= m) break;
  }
  return L;
}

std::uint64_t pattern_seed(std::uint64_t seed) { return splitmix64(seed ^ 0x70617474ULL); }
std::uint64_t noise_seed(std::uint64_t seed) { return splitmix64(seed ^ 0x6e6f6973ULL); }

template <class T>
ImagingProblem<T> make_imaging_problem(const Matrix<real_of<T>>& image, ImagingSpec spec) {
  using Real = real_of<T>;
  if (image.size() == 0) throw std::invalid_argument("the image is empty");
  if (!all_finite(image)) throw std::invalid_argument("the image has a NaN or infinite pixel");
  const ImageShape shape{image.rows(), image.cols()};
  check_image_shape(shape, "image");
  if (!(spec.rate > 0 && spec.rate <= 1))
    throw std::invalid_argument("sampling rate " + std::to_string(spec.rate) + " is outside (0, 1]");
  if (!(std::isfinite(spec.noise) && spec.noise >= 0))
    throw std::invalid_argument("noise level must be a finite number >= 0");
  const int moments = wavelet_moments(spec.wavelet);
  if (spec.levels == 0) spec.levels = default_wavelet_levels(shape);
  if (spec.levels < 1 || spec.levels > 30)
    throw std::invalid_argument("wavelet levels " + std::to_string(spec.levels) + " must be in 1..30");
  const Eigen::Index div = Eigen::Index(1) << spec.levels;
  if (shape.rows % div != 0 || shape.cols % div != 0)
    throw std::invalid_argument("image " + shape_text(shape) + " is not divisible by 2^" +
                                std::to_string(spec.levels) + " = " + std::to_string(div) + " on both sides (" +
                                std::to_string(spec.levels) + " wavelet levels)");
  const Eigen::Index m = samples_for_rate(spec.rate, shape.size());
  if (spec.pattern == PatternKind::das) {
    if (spec.das_levels == 0) spec.das_levels = default_das_levels(shape, spec.sampling, spec.levels, m);
    if (spec.das_levels < 1 || spec.das_levels > 16)
      throw std::invalid_argument("DAS levels " + std::to_string(spec.das_levels) + " must be in 1..16");
  }

  ImagingProblem<T> p;
  p.spec = spec;
  p.shape = shape;
  Real delta_U(0);
  OperatorPtr<T> U = measurement<T>(spec.sampling, shape, delta_U);
  p.wavelet = std::make_shared<const WaveletTransform<T>>(shape, moments, spec.levels);
  p.pattern = draw_pattern(spec, shape, m);
  p.A = std::make_shared<const SampledTransform<T>>(U, p.wavelet, p.pattern.indices, delta_U,
                                                     p.wavelet->rounding_bound());
  p.level_starts = p.wavelet->level_starts();
  p.image = image;
  const Vector<T> pixels = Eigen::Map<const Vector<Real>>(image.data(), image.size()).template cast<T>();
  p.x_true = p.wavelet->forward(pixels);
  p.y_clean = p.A->forward(p.x_true);
  p.y = p.y_clean + relative_noise<T>(p.y_clean, Real(spec.noise), noise_seed(spec.seed));
  p.eta = Real((p.y - p.y_clean).norm());
  return p;
}

template <class T>
Vector<real_of<T>> weights_for(const ImagingProblem<T>& problem, const real_of<T>& energy_fraction) {
  return weights_for(problem, local_sparsities_energy<T>(problem.x_true, problem.level_starts, energy_fraction));
}

template <class T>
Vector<real_of<T>> weights_for(const ImagingProblem<T>& problem, const std::vector<long>& sparsities) {
  return level_weights<real_of<T>>(problem.level_starts, sparsities);
}

template <class T>
Matrix<real_of<T>> image_from_coefficients(const ImagingProblem<T>& problem, const Vector<T>& x) {
  const Vector<T> v = problem.wavelet->adjoint(x);
  Matrix<real_of<T>> out(problem.shape.rows, problem.shape.cols);
  for (Eigen::Index k = 0; k < v.size(); ++k) {
    if constexpr (number_traits<T>::is_complex)
      out.data()[k] = v(k).real();
    else
      out.data()[k] = v(k);
  }
  return out;
}

#define BARRIERS_X(T)                                                                                 \
  template struct ImagingProblem<T>;                                                                  \
  template ImagingProblem<T> make_imaging_problem<T>(const Matrix<real_of<T>>&, ImagingSpec);         \
  template Vector<real_of<T>> weights_for<T>(const ImagingProblem<T>&, const real_of<T>&);            \
  template Vector<real_of<T>> weights_for<T>(const ImagingProblem<T>&, const std::vector<long>&);     \
  template Matrix<real_of<T>> image_from_coefficients<T>(const ImagingProblem<T>&, const Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
