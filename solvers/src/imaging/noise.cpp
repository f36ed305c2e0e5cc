// Seeded Gaussian noise; see noise.hpp.
#include "barriers/solvers/imaging/noise.hpp"

#include <boost/math/constants/constants.hpp>
#include <stdexcept>

#include "seeded_uniform.hpp"

namespace barriers {

template <class T>
Vector<T> gaussian_vector(Eigen::Index n, std::uint64_t seed) {
  using R = real_of<T>;
  using std::cos, std::log, std::sin, std::sqrt;
  if (n < 0) throw std::invalid_argument("gaussian_vector: negative length " + std::to_string(n));
  std::mt19937_64 rng(seed);
  const R two_pi = 2 * boost::math::constants::pi<R>();
  // Box-Muller: one pair of normals from u1 in (0, 1] (so log u1 is finite) and u2 in [0, 1).
  const Eigen::Index reals = number_traits<T>::is_complex ? 2 * n : n;
  std::vector<R> z(static_cast<std::size_t>(reals + 1));
  for (Eigen::Index k = 0; k < reals; k += 2) {
    const R u1 = 1 - imaging_detail::uniform_full<R>(rng);
    const R u2 = imaging_detail::uniform_full<R>(rng);
    const R r = sqrt(-2 * log(u1)), t = two_pi * u2;
    z[std::size_t(k)] = r * cos(t);
    z[std::size_t(k + 1)] = r * sin(t);
  }
  Vector<T> g(n);
  if constexpr (number_traits<T>::is_complex) {
    const R half = sqrt(R(1) / 2);  // parts N(0, 1/2)
    for (Eigen::Index k = 0; k < n; ++k) g(k) = T(z[std::size_t(2 * k)] * half, z[std::size_t(2 * k + 1)] * half);
  } else {
    for (Eigen::Index k = 0; k < n; ++k) g(k) = z[std::size_t(k)];
  }
  return g;
}

template <class T>
Vector<T> relative_noise(const Vector<T>& y, const real_of<T>& level, std::uint64_t seed) {
  using R = real_of<T>;
  using std::sqrt;
  if (!(level >= 0) || !is_finite_scalar(level))
    throw std::invalid_argument("noise level must be a finite number >= 0");
  if (y.size() == 0) throw std::invalid_argument("cannot add noise to an empty vector");
  Vector<T> g = gaussian_vector<T>(y.size(), seed);
  const R norm_y = sqrt(R(y.squaredNorm())), norm_g = sqrt(R(g.squaredNorm()));
  if (norm_y == 0 || level == 0) return Vector<T>::Zero(y.size());
  if (norm_g == 0)  // only when every u1 drawn is exactly 1: probability 2^-53 per entry or less
    throw std::runtime_error("noise seed " + std::to_string(seed) + " gives an all-zero Gaussian vector; use another seed");
  const R scale = level * norm_y / norm_g;
  g *= T(scale);
  return g;
}

#define BARRIERS_X(T)                                                 \
  template Vector<T> gaussian_vector<T>(Eigen::Index, std::uint64_t); \
  template Vector<T> relative_noise<T>(const Vector<T>&, const real_of<T>&, std::uint64_t);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
