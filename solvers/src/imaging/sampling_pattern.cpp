// Sampling patterns; see sampling_pattern.hpp. Compiled with
// -ffp-contract=off (solvers/CMakeLists.txt) so the double arithmetic below
// rounds identically on every machine.
#include "barriers/solvers/imaging/sampling_pattern.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "seeded_uniform.hpp"

namespace barriers {
namespace {

using imaging_detail::uniform_below;
using Index = Eigen::Index;
using i128 = __int128;

constexpr Index max_side = 32768;

void check_pattern(ImageShape shape, Index m) {
  check_image_shape(shape, "sampling pattern");
  if (shape.rows > max_side || shape.cols > max_side)
    throw std::invalid_argument("sampling pattern: each side may be at most " + std::to_string(max_side) + ", not " +
                                std::to_string(shape.rows) + " x " + std::to_string(shape.cols));
  if (m < 1 || m > shape.size())
    throw std::invalid_argument("sampling pattern: the number of samples " + std::to_string(m) +
                                " must be between 1 and the number of coefficients " + std::to_string(shape.size()));
}

// The normalised frequencies of index k as integers over rows * cols
// (a1 = A1 / (rows cols), a2 = A2 / (rows cols)), see the header.
struct Coordinates {
  std::int64_t A1, A2;
};
Coordinates coordinates(Index k, ImageShape s, SpectrumLayout layout) {
  const Index k1 = k % s.rows, k2 = k / s.rows;
  if (layout == SpectrumLayout::walsh) return {k1 * s.cols, k2 * s.rows};
  return {2 * signed_frequency(k1, s.rows) * s.cols, 2 * signed_frequency(k2, s.cols) * s.rows};
}
// Euclidean rho^2 (rows cols)^2, exact.
i128 radius_squared_key(Index k, ImageShape s, SpectrumLayout layout) {
  const Coordinates c = coordinates(k, s, layout);
  return i128(c.A1) * c.A1 + i128(c.A2) * c.A2;
}

// Partial Fisher-Yates: the first m entries of `pool` become a uniformly
// random m-subset (in random order).
void choose(std::vector<Index>& pool, Index m, std::mt19937_64& rng) {
  for (Index t = 0; t < m; ++t) {
    const Index r = t + Index(uniform_below(rng, std::uint64_t(Index(pool.size()) - t)));
    std::swap(pool[std::size_t(t)], pool[std::size_t(r)]);
  }
  pool.resize(std::size_t(m));
}

SamplingPattern finish(ImageShape shape, std::vector<Index> indices) {
  std::sort(indices.begin(), indices.end());
  return {shape, std::move(indices)};
}

// Indices by increasing Euclidean radius, ties by index.
std::vector<Index> by_radius(ImageShape shape, SpectrumLayout layout) {
  std::vector<i128> key(static_cast<std::size_t>(shape.size()));
  for (Index k = 0; k < shape.size(); ++k) key[std::size_t(k)] = radius_squared_key(k, shape, layout);
  std::vector<Index> order(static_cast<std::size_t>(shape.size()));
  std::iota(order.begin(), order.end(), Index(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return key[std::size_t(a)] < key[std::size_t(b)]; });
  return order;
}

}  // namespace

std::vector<bool> SamplingPattern::mask() const {
  std::vector<bool> m(std::size_t(shape.size()), false);
  for (Index k : indices) m[std::size_t(k)] = true;
  return m;
}

std::int64_t signed_frequency(std::int64_t k, std::int64_t n) { return centred_position(k, n) - n / 2; }
std::int64_t centred_position(std::int64_t k, std::int64_t n) { return (k + n / 2) % n; }

Index samples_for_rate(double rate, Index total) {
  if (!(rate > 0 && rate <= 1))
    throw std::invalid_argument("sampling rate " + std::to_string(rate) + " must be in (0, 1]");
  return std::max<Index>(1, Index(std::llround(rate * double(total))));
}

SamplingPattern uniform_pattern(ImageShape shape, Index m, std::uint64_t seed) {
  check_pattern(shape, m);
  std::mt19937_64 rng(seed);
  std::vector<Index> pool(static_cast<std::size_t>(shape.size()));
  std::iota(pool.begin(), pool.end(), Index(0));
  choose(pool, m, rng);
  return finish(shape, std::move(pool));
}

SamplingPattern power_law_pattern(ImageShape shape, SpectrumLayout layout, Index m, std::uint64_t seed) {
  check_pattern(shape, m);
  const Index N = shape.size();
  const double S = double(std::max(shape.rows, shape.cols)) / (layout == SpectrumLayout::fourier ? 2 : 1);
  const double denominator = double(shape.rows) * double(shape.cols);
  std::vector<double> w(static_cast<std::size_t>(N));
  for (Index k = 0; k < N; ++k) {
    const Coordinates c = coordinates(k, shape, layout);
    const double r1 = double(c.A1) / denominator * S, r2 = double(c.A2) / denominator * S;
    w[std::size_t(k)] = 1 / (1 + (r1 * r1 + r2 * r2));
  }
  // Water filling: the t largest weights get p = 1, the rest p = c w with
  // c = (m - t) / (sum of the rest), for the least t with c w_(t+1) <= 1.
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Index(0));
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return w[std::size_t(a)] > w[std::size_t(b)]; });
  std::vector<double> tail(std::size_t(N) + 1, 0.0);  // tail[t] = sum of the weights from rank t on
  for (Index t = N - 1; t >= 0; --t) tail[std::size_t(t)] = tail[std::size_t(t + 1)] + w[std::size_t(order[std::size_t(t)])];
  Index t = 0;
  while (t < m && double(m - t) * w[std::size_t(order[std::size_t(t)])] > tail[std::size_t(t)]) ++t;
  const double c = t < m ? double(m - t) / tail[std::size_t(t)] : 0;
  // Probabilities in units of 2^-32, summing to exactly m 2^32.
  constexpr std::uint64_t one = std::uint64_t(1) << 32;
  std::vector<std::uint64_t> P(static_cast<std::size_t>(N));
  std::uint64_t sum = 0;
  for (Index r = 0; r < N; ++r) {
    const Index k = order[std::size_t(r)];
    const double p = r < t ? 1.0 : std::min(1.0, c * w[std::size_t(k)]);
    P[std::size_t(k)] = std::min(one, std::uint64_t(std::floor(p * double(one))));
    sum += P[std::size_t(k)];
  }
  // The floors lose less than one unit each; give the shortfall (or take the
  // excess) one unit at a time along the ranking.
  const std::uint64_t target = std::uint64_t(m) * one;
  for (Index r = 0; sum < target; r = (r + 1) % N) {
    std::uint64_t& p = P[std::size_t(order[std::size_t(r)])];
    if (p < one) ++p, ++sum;
  }
  for (Index r = N - 1; sum > target; r = (r + N - 1) % N) {
    std::uint64_t& p = P[std::size_t(order[std::size_t(r)])];
    if (p > 0) --p, --sum;
  }
  // Systematic sampling along a random order: points u + j 2^32, j < m, in
  // [0, m 2^32); index k owns an interval of length P_k <= 2^32, so it holds
  // at most one point and is drawn with probability P_k 2^-32.
  std::mt19937_64 rng(seed);
  std::vector<Index> perm(static_cast<std::size_t>(N));
  std::iota(perm.begin(), perm.end(), Index(0));
  choose(perm, N, rng);
  const std::uint64_t u = uniform_below(rng, one);
  std::vector<Index> chosen;
  std::uint64_t before = 0;
  for (Index k : perm) {
    const std::uint64_t after = before + P[std::size_t(k)];
    // the first point at or above `before` is u + j one, j = ceil((before - u) / one)
    const std::uint64_t next_point = before <= u ? u : u + ((before - u + one - 1) / one) * one;
    if (next_point < after) chosen.push_back(k);
    before = after;
  }
  return finish(shape, std::move(chosen));
}

SamplingPattern half_half_pattern(ImageShape shape, SpectrumLayout layout, Index m, std::uint64_t seed,
                                  double centre_fraction) {
  check_pattern(shape, m);
  if (!(centre_fraction >= 0 && centre_fraction <= 1))
    throw std::invalid_argument("half-half pattern: centre fraction " + std::to_string(centre_fraction) +
                                " must be in [0, 1]");
  const Index centre = Index(std::llround(double(m) * centre_fraction));
  std::vector<Index> order = by_radius(shape, layout);
  std::vector<Index> chosen(order.begin(), order.begin() + centre);
  std::vector<Index> outside(order.begin() + centre, order.end());
  std::mt19937_64 rng(seed);
  choose(outside, m - centre, rng);
  chosen.insert(chosen.end(), outside.begin(), outside.end());
  return finish(shape, std::move(chosen));
}

SamplingPattern radial_pattern(ImageShape shape, SpectrumLayout layout, Index m, std::uint64_t seed) {
  check_pattern(shape, m);
  if (shape.is_1d() || shape.rows == 1)
    throw std::invalid_argument("radial pattern: needs a 2-D image (both sides above 1)");
  const Index N = shape.size(), n1 = shape.rows, n2 = shape.cols;
  const bool fourier = layout == SpectrumLayout::fourier;
  std::vector<char> taken(std::size_t(N), 0);
  std::vector<Index> chosen;
  const auto take = [&](double f1, double f2) {  // frequency (signed for Fourier) -> index, if in range
    const std::int64_t g1 = std::llround(f1), g2 = std::llround(f2);
    const std::int64_t lo1 = fourier ? -(n1 / 2) : 0, lo2 = fourier ? -(n2 / 2) : 0;
    if (g1 < lo1 || g1 >= lo1 + n1 || g2 < lo2 || g2 >= lo2 + n2) return;
    const Index k = ((g1 % n1 + n1) % n1) + n1 * ((g2 % n2 + n2) % n2);
    if (!taken[std::size_t(k)] && Index(chosen.size()) < m) {
      taken[std::size_t(k)] = 1;
      chosen.push_back(k);
    }
  };
  const double pi = 3.14159265358979323846;
  const double span = fourier ? pi : pi / 2;  // line directions modulo span
  const double golden = span * (std::sqrt(5.0) - 1) / 2;
  std::mt19937_64 rng(seed);
  double theta = span * imaging_detail::uniform53(rng);
  // Half-pixel steps in the larger normalised side; a line reaches the edge
  // of the spectrum in both (Fourier) or one (Walsh) direction.
  const double h1 = fourier ? double(n1) / 2 : double(n1), h2 = fourier ? double(n2) / 2 : double(n2);
  const Index steps = 4 * std::max(n1, n2) + 4;
  const Index max_lines = 8 * std::max(n1, n2);
  for (Index line = 0; line < max_lines && Index(chosen.size()) < m; ++line) {
    const double c = std::cos(theta), s = std::sin(theta);
    for (Index t = 0; t <= steps && Index(chosen.size()) < m; ++t) {
      const double r = double(t) / double(steps) * 1.5;  // to sqrt(2) of the normalised side and a little beyond
      take(r * c * h1, r * s * h2);
      if (fourier && t > 0) take(-r * c * h1, -r * s * h2);
    }
    theta += golden;
    if (theta >= span) theta -= span;
  }
  // Lines this dense leave no pixel unvisited in practice; should any remain,
  // they are taken nearest the centre first so that the count is exact.
  for (Index k : by_radius(shape, layout)) {
    if (Index(chosen.size()) >= m) break;
    if (!taken[std::size_t(k)]) taken[std::size_t(k)] = 1, chosen.push_back(k);
  }
  return finish(shape, std::move(chosen));
}

std::vector<int> frequency_levels(ImageShape shape, SpectrumLayout layout, RadiusMetric metric, int levels) {
  check_pattern(shape, 1);
  if (levels < 1 || levels > 16)
    throw std::invalid_argument("multilevel pattern: " + std::to_string(levels) + " levels; use 1 to 16");
  const i128 D = i128(shape.rows) * shape.cols;  // rho = (coordinates) / D
  std::vector<int> level(static_cast<std::size_t>(shape.size()));
  for (Index k = 0; k < shape.size(); ++k) {
    const Coordinates c = coordinates(k, shape, layout);
    // rho < 2^(j+1-levels)  <=>  key 4^(levels-1-j) < D^2 (Euclidean) or  key 2^(levels-1-j) < D (square).
    const i128 key = metric == RadiusMetric::euclidean ? radius_squared_key(k, shape, layout)
                                                       : i128(std::max(std::abs(c.A1), std::abs(c.A2)));
    const i128 bound = metric == RadiusMetric::euclidean ? D * D : D;
    const int shift = metric == RadiusMetric::euclidean ? 2 : 1;
    int j = 0;
    while (j < levels - 1 && !((key << (shift * (levels - 1 - j))) < bound)) ++j;
    level[std::size_t(k)] = j;
  }
  return level;
}

std::vector<Index> das_level_counts(const std::vector<Index>& sizes, Index m, double decay) {
  if (sizes.empty()) throw std::invalid_argument("multilevel pattern: no levels");
  if (!(decay >= 1) || !std::isfinite(decay))
    throw std::invalid_argument("multilevel pattern: density decay " + std::to_string(decay) + " must be >= 1");
  const Index total = std::accumulate(sizes.begin(), sizes.end(), Index(0));
  if (m > total || m < 1)
    throw std::invalid_argument("multilevel pattern: " + std::to_string(m) + " samples requested of " +
                                std::to_string(total) + " coefficients");
  if (m < sizes[0])
    throw std::invalid_argument("multilevel pattern: " + std::to_string(m) +
                                " samples cannot fully sample the first level (" + std::to_string(sizes[0]) +
                                " coefficients); raise the rate or use more levels");
  const std::size_t L = sizes.size();
  std::vector<Index> counts(L, 0);
  counts[0] = sizes[0];
  const Index rest = m - sizes[0];
  if (rest == 0 || L == 1) return counts;
  // Density d_k = decay^-k; levels saturate in order (d decreases), so with
  // the first t - 1 full, the others get c d_k size_k, c = left / sum.
  std::vector<double> d(L);
  for (std::size_t k = 0; k < L; ++k) d[k] = k == 0 ? 1 : d[k - 1] / decay;
  std::vector<double> x(L, 0.0);
  std::size_t t = 1;
  Index left = rest;
  for (; t < L; ++t) {
    double weight = 0;
    for (std::size_t k = t; k < L; ++k) weight += d[k] * double(sizes[k]);
    const double c = double(left) / weight;
    if (c * d[t] <= 1) {
      for (std::size_t k = t; k < L; ++k) x[k] = std::min(double(sizes[k]), c * d[k] * double(sizes[k]));
      break;
    }
    x[t] = double(sizes[t]);
    left -= sizes[t];
  }
  // Integers by largest remainder, never above a level's size.
  Index assigned = 0;
  for (std::size_t k = 1; k < L; ++k) {
    counts[k] = std::min(sizes[k], Index(std::floor(x[k])));
    assigned += counts[k];
  }
  std::vector<std::size_t> by_fraction;
  for (std::size_t k = 1; k < L; ++k) by_fraction.push_back(k);
  std::stable_sort(by_fraction.begin(), by_fraction.end(), [&](std::size_t a, std::size_t b) {
    return x[a] - std::floor(x[a]) > x[b] - std::floor(x[b]);
  });
  while (assigned < rest) {
    for (std::size_t k : by_fraction)
      if (assigned < rest && counts[k] < sizes[k]) ++counts[k], ++assigned;
  }
  while (assigned > rest) {
    for (auto it = by_fraction.rbegin(); it != by_fraction.rend(); ++it)
      if (assigned > rest && counts[*it] > 0) --counts[*it], --assigned;
  }
  return counts;
}

SamplingPattern multilevel_pattern(ImageShape shape, const std::vector<int>& level_of_index,
                                   const std::vector<Index>& counts, std::uint64_t seed) {
  check_pattern(shape, 1);
  if (Index(level_of_index.size()) != shape.size())
    throw std::invalid_argument("multilevel pattern: " + std::to_string(level_of_index.size()) +
                                " level labels for " + std::to_string(shape.size()) + " coefficients");
  std::vector<std::vector<Index>> members(counts.size());
  for (Index k = 0; k < shape.size(); ++k) {
    const int l = level_of_index[std::size_t(k)];
    if (l < 0 || std::size_t(l) >= counts.size())
      throw std::invalid_argument("multilevel pattern: level label " + std::to_string(l) + " has no count");
    members[std::size_t(l)].push_back(k);
  }
  std::mt19937_64 rng(seed);
  std::vector<Index> chosen;
  for (std::size_t l = 0; l < counts.size(); ++l) {
    if (counts[l] < 0 || counts[l] > Index(members[l].size()))
      throw std::invalid_argument("multilevel pattern: " + std::to_string(counts[l]) + " samples in level " +
                                  std::to_string(l) + " of " + std::to_string(members[l].size()) + " coefficients");
    choose(members[l], counts[l], rng);
    chosen.insert(chosen.end(), members[l].begin(), members[l].end());
  }
  if (chosen.empty()) throw std::invalid_argument("multilevel pattern: no samples requested");
  return finish(shape, std::move(chosen));
}

SamplingPattern das_pattern(ImageShape shape, SpectrumLayout layout, RadiusMetric metric, int levels, Index m,
                            std::uint64_t seed, double decay) {
  check_pattern(shape, m);
  const std::vector<int> level = frequency_levels(shape, layout, metric, levels);
  std::vector<Index> sizes(std::size_t(levels), 0);
  for (int l : level) ++sizes[std::size_t(l)];
  // Dyadic rings can be empty on small images; they get no samples.
  return multilevel_pattern(shape, level, das_level_counts(sizes, m, decay), seed);
}

Matrix<double> mask_image(const SamplingPattern& pattern, SpectrumLayout layout) {
  const ImageShape s = pattern.shape;
  Matrix<double> image = Matrix<double>::Zero(s.rows, s.cols);
  for (Index k : pattern.indices) {
    Index i = k % s.rows, j = k / s.rows;
    if (layout == SpectrumLayout::fourier) i = centred_position(i, s.rows), j = centred_position(j, s.cols);
    image(i, j) = 1;
  }
  return image;
}

std::string index_list(const SamplingPattern& pattern) {
  std::string out;
  for (Index k : pattern.indices) out += std::to_string(k) + "\n";
  return out;
}

}  // namespace barriers
