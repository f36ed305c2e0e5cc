// Sampling patterns Omega for SampledTransform: which coefficients of the
// Fourier or Walsh transform of a 1-D signal or 2-D image are measured.
//
// Indices follow the operators (image_shape.hpp): coefficient (k1, k2) of a
// rows x cols transform is index k1 + rows k2. Along a side of length n:
//  - Fourier (fft.hpp): index k is the frequency k, read modulo n as the
//    signed frequency f(k) = ((k + n/2) mod n) - n/2 (n/2 rounded down), so
//    f is in [-n/2, n - 1 - n/2] and index 0 is the zero frequency; the
//    centred display ("fftshift") puts index k at position (k + n/2) mod n.
//  - Walsh (walsh_hadamard.hpp): index k is the sequency k >= 0, lowest first.
// The normalised frequency of a side is a = 2 f / n for Fourier (|a| <= 1)
// and a = k / n for Walsh (0 <= a < 1); the radius of a coefficient is
// rho = sqrt(a1^2 + a2^2) (Euclidean) or max(|a1|, |a2|) (square), both
// computed exactly in integers.
//
// Every pattern has exactly the requested number m of distinct indices
// (1 <= m <= N), listed ascending, and is a deterministic function of its
// arguments and seed (std::mt19937_64, integer arithmetic, and double
// arithmetic with FMA contraction disabled; the radial pattern also uses the
// C library's cos and sin). The patterns:
//  - uniform: m indices uniformly at random without replacement.
//  - power_law: each index i included with probability p_i = min(1, c /
//    (1 + r_i^2)) (inverse square law; r_i = rho_i S the radius in pixels,
//    S = max(rows, cols) / 2 for Fourier, max(rows, cols) for Walsh), c
//    chosen so that sum p_i = m; drawn by systematic sampling along a random
//    order of the indices, which includes each index with probability p_i
//    (to 2^-32) and always draws exactly m.
//  - multilevel (DAS-style): the plane split into `levels` dyadic levels by
//    radius, level 0 = rho < 2^(1-levels), level k = 2^(k-levels) <= rho <
//    2^(k+1-levels), the last level everything from 1/2 out; a given number
//    of samples per level, uniformly within the level. das_level_counts()
//    fills level 0 and spreads the rest with a density falling by `decay` per
//    level. With the square radius, Walsh and a square power-of-two image,
//    level k >= 1 is exactly the dyadic block of sequencies [2^(k-1) ..) of
//    the wavelet structure (scaled by n 2^-levels).
//  - half_half: the round(m centre_fraction) indices of smallest Euclidean
//    radius (ties by index), the rest uniformly among the others.
//  - radial: lines through the zero frequency (Fourier: full lines through the
//    centre; Walsh: rays from the corner) at angles theta_0 + j g (golden
//    angle g, theta_0 random), each traced at half-pixel steps from the
//    centre out; the first m distinct indices met (the last line is cut
//    short). 2-D only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/solver_types.hpp"

namespace barriers {

enum class SpectrumLayout { fourier, walsh };
enum class RadiusMetric { euclidean, square };

struct SamplingPattern {
  ImageShape shape;
  std::vector<Eigen::Index> indices;  ///< ascending, distinct, in [0, shape.size())

  /// mask[k] is true when k is sampled.
  std::vector<bool> mask() const;
};

/// Signed frequency of Fourier index k on a side of length n, and its
/// position in the centred display.
std::int64_t signed_frequency(std::int64_t k, std::int64_t n);
std::int64_t centred_position(std::int64_t k, std::int64_t n);

/// The number of samples for a rate in (0, 1]: round(rate N), at least 1.
/// Throws std::invalid_argument for a rate outside (0, 1].
Eigen::Index samples_for_rate(double rate, Eigen::Index total);

// All of these throw std::invalid_argument for a bad shape (sides 1..32768),
// m outside [1, N], or a bad parameter, naming it.
SamplingPattern uniform_pattern(ImageShape shape, Eigen::Index m, std::uint64_t seed);
SamplingPattern power_law_pattern(ImageShape shape, SpectrumLayout layout, Eigen::Index m, std::uint64_t seed);
SamplingPattern half_half_pattern(ImageShape shape, SpectrumLayout layout, Eigen::Index m, std::uint64_t seed,
                                  double centre_fraction = 0.5);
SamplingPattern radial_pattern(ImageShape shape, SpectrumLayout layout, Eigen::Index m, std::uint64_t seed);

/// The level (0 .. levels - 1) of every index, levels in 1..16.
std::vector<int> frequency_levels(ImageShape shape, SpectrumLayout layout, RadiusMetric metric, int levels);
/// Samples per level: all of level 0, the remaining m - |level 0| spread
/// over the other levels with density (samples / size) proportional to
/// decay^-k, capped at each level's size, rounded to integers by largest
/// remainder. decay >= 1. Throws when m < |level 0| (raise the rate or use
/// more levels) or m > N.
std::vector<Eigen::Index> das_level_counts(const std::vector<Eigen::Index>& level_sizes, Eigen::Index m,
                                           double decay = 2);
/// counts[k] indices of level k, uniformly at random (levels as from
/// frequency_levels).
SamplingPattern multilevel_pattern(ImageShape shape, const std::vector<int>& level_of_index,
                                   const std::vector<Eigen::Index>& counts, std::uint64_t seed);
/// frequency_levels + das_level_counts + multilevel_pattern.
SamplingPattern das_pattern(ImageShape shape, SpectrumLayout layout, RadiusMetric metric, int levels,
                            Eigen::Index m, std::uint64_t seed, double decay = 2);

/// The mask as an image (1 sampled, 0 not), Fourier masks centred.
Matrix<double> mask_image(const SamplingPattern& pattern, SpectrumLayout layout);
/// The indices as text, one per line.
std::string index_list(const SamplingPattern& pattern);

}  // namespace barriers
