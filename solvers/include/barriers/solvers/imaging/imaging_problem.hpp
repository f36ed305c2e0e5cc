// A compressed-sensing imaging problem with a known answer: a true image,
// its wavelet coefficients x_true, the sampled operator A = P_Omega U W^*
// (sampled_transform.hpp) and noisy measurements y = A x_true + e.
//
// make_imaging_problem<T>(image, spec), in the working type T (for MPFR
// under the PrecisionGuard the problem will be used with):
//  1. W: the orthonormal Daubechies wavelet spec.wavelet with spec.levels
//     levels (0 = default_wavelet_levels); x_true = W image.
//  2. Omega: spec.pattern with samples_for_rate(spec.rate, N) samples, in
//     the spectrum layout of spec.sampling (sampling_pattern.hpp); the DAS
//     pattern uses spec.das_levels levels (0 = default_das_levels), decay 2,
//     the Euclidean radius for Fourier and the square radius for Walsh (so
//     that its levels are the dyadic sequency blocks of the wavelet levels).
//  3. A = P_Omega U W^* with U the unitary 2-D Fourier transform (complex T
//     only) or the orthonormal sequency-ordered Walsh-Hadamard transform
//     (real or complex T, sides powers of two).
//  4. y_clean = A x_true, e = relative_noise(y_clean, spec.noise, noise
//     seed), y = y_clean + e, eta = ||y - y_clean||_2 computed in T (what
//     FIRENET's delta and WARPd's epsilon are measured against).
// Randomness: the pattern is drawn with seed pattern_seed(spec.seed), the
// noise with noise_seed(spec.seed) (two fixed splitmix64 mixes, so the two
// streams differ); the same spec gives the same problem on every run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/imaging/sampled_transform.hpp"
#include "barriers/solvers/imaging/sampling_pattern.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"

namespace barriers {

enum class SamplingKind { fourier, walsh };
enum class PatternKind { das, power, uniform, radial, half_half };

/// "fourier" | "walsh", and back. Parsing throws std::invalid_argument naming
/// the value and the allowed names.
SamplingKind parse_sampling(const std::string& name);
std::string sampling_name(SamplingKind kind);
/// "das" | "power" | "uniform" | "radial" | "half-half", and back.
PatternKind parse_pattern(const std::string& name);
std::string pattern_name(PatternKind kind);

struct ImagingSpec {
  SamplingKind sampling = SamplingKind::fourier;
  PatternKind pattern = PatternKind::das;
  double rate = 0.15;            ///< sampled fraction, in (0, 1]
  int das_levels = 0;            ///< DAS radius levels, 1..16; 0 = default_das_levels
  std::string wavelet = "db4";   ///< "haar", "db1" .. "db20"
  int levels = 0;                ///< wavelet levels >= 1; 0 = default_wavelet_levels
  double noise = 0.02;           ///< relative noise level ||e|| / ||y_clean||, finite and >= 0
  std::uint64_t seed = 1;
};

/// The most wavelet levels L <= 6 with both sides divisible by 2^L and the
/// coarsest block at least 8 pixels on its shorter side, and at least 1
/// (e.g. 256 -> 5, 64 -> 3, 32 -> 2, 16 -> 1).
int default_wavelet_levels(ImageShape shape);
/// The fewest DAS levels >= wavelet_levels + 1 (so that the fully sampled
/// level 0, rho < 2^-wavelet_levels, matches the wavelet approximation band)
/// whose level 0 holds at most half of the m samples; 16 at most.
int default_das_levels(ImageShape shape, SamplingKind sampling, int wavelet_levels, Eigen::Index m);

std::uint64_t pattern_seed(std::uint64_t seed);
std::uint64_t noise_seed(std::uint64_t seed);

template <class T>
struct ImagingProblem {
  using Real = real_of<T>;

  ImagingSpec spec;  ///< as given, with levels and das_levels filled in
  ImageShape shape;
  std::shared_ptr<const WaveletTransform<T>> wavelet;
  std::shared_ptr<const SampledTransform<T>> A;
  SamplingPattern pattern;                  ///< Omega (A's rows, in this order)
  std::vector<Eigen::Index> level_starts;   ///< wavelet->level_starts()
  Matrix<Real> image;                       ///< the true image
  Vector<T> x_true;                         ///< W image
  Vector<T> y_clean;                        ///< A x_true
  Vector<T> y;                              ///< y_clean + e
  Real eta;                                 ///< ||y - y_clean||_2
};

/// Throws std::invalid_argument, naming the setting, for: an empty image or
/// a non-finite pixel; fourier with a real T; walsh with a side that is not
/// a power of two; sides not divisible by 2^levels; an unknown wavelet; a
/// rate outside (0, 1]; a NaN, infinite or negative noise level; DAS levels
/// outside 1..16 or a rate too low to cover DAS level 0.
template <class T>
ImagingProblem<T> make_imaging_problem(const Matrix<real_of<T>>& image, ImagingSpec spec);

/// FIRENET weights (firenet.hpp, THEORY.md section 6) from the local
/// sparsities of x_true: per level, the fewest coefficients holding
/// `energy_fraction` of the level's energy (local_sparsities_energy). This
/// uses the true image, as the published experiments do.
template <class T>
Vector<real_of<T>> weights_for(const ImagingProblem<T>& problem, const real_of<T>& energy_fraction);
/// The same from given local sparsities, one per level (levels + 1 of them).
template <class T>
Vector<real_of<T>> weights_for(const ImagingProblem<T>& problem, const std::vector<long>& sparsities);

/// The image W^* x of coefficients x; for complex T its real part (the
/// orthogonal projection onto real images, which never moves an estimate
/// further from the real truth).
template <class T>
Matrix<real_of<T>> image_from_coefficients(const ImagingProblem<T>& problem, const Vector<T>& x);

#define BARRIERS_X(T)                                                                                        \
  extern template struct ImagingProblem<T>;                                                                  \
  extern template ImagingProblem<T> make_imaging_problem<T>(const Matrix<real_of<T>>&, ImagingSpec);         \
  extern template Vector<real_of<T>> weights_for<T>(const ImagingProblem<T>&, const real_of<T>&);            \
  extern template Vector<real_of<T>> weights_for<T>(const ImagingProblem<T>&, const std::vector<long>&);     \
  extern template Matrix<real_of<T>> image_from_coefficients<T>(const ImagingProblem<T>&, const Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
