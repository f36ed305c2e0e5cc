// Seeded Gaussian noise; see noise.hpp.
#include "barriers/solvers/imaging/noise.hpp"

#include <boost/math/constants/constants.hpp>
#include <stdexcept>

#include "../in_place_ops.hpp"
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

namespace {
// relative_noise's operations for MPFR (real or complex) on kept numbers:
// out = y + level ||y|| g / ||g||, each operation rounded as there (Boost's
// log, cos, sin and sqrt are MPFR's, correctly rounded; the uniforms are
// exact), so the same bits. Once the buffers exist it creates no number of
// its own; MPFR's log and sin_cos make their working numbers inside.
template <class T>
void add_noise_mpfr(const Vector<T>& y, const mpfr_real& level, std::uint64_t seed, Vector<T>& out) {
  using in_place_ops::parts;
  constexpr int w = in_place_ops::width<T>;
  thread_local std::vector<std::pair<std::uint32_t, int>> pieces;
  thread_local std::vector<mpfr_real> z;
  thread_local mpfr_real u1, u2, r, t, two_pi, half, norm_y, norm_g, scale;
  if (in_place_ops::stale(z) || u1.precision() != mpfr_real::default_precision()) {
    z.clear();
    for (mpfr_real* v : {&u1, &u2, &r, &t, &two_pi, &half, &norm_y, &norm_g, &scale}) *v = mpfr_real();
  }
  const Eigen::Index n = y.size(), reals = w * n;
  if (z.size() < std::size_t(reals + 1)) z.resize(std::size_t(reals + 1));
  const int bits = int(std::min(number_traits<mpfr_real>::precision_bits(), 1u << 20));
  const auto uniform = [&](std::mt19937_64& rng, mpfr_real& u) {
    imaging_detail::uniform_pieces(rng, bits, pieces);
    u = 0;
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {  // exact, as in uniform_full
      mpfr_add_ui(u.backend().data(), u.backend().data(), it->first, MPFR_RNDN);
      mpfr_div_2ui(u.backend().data(), u.backend().data(), unsigned(it->second), MPFR_RNDN);
    }
  };
  std::mt19937_64 rng(seed);
  mpfr_const_pi(two_pi.backend().data(), MPFR_RNDN);
  two_pi *= 2;
  for (Eigen::Index k = 0; k < reals; k += 2) {
    uniform(rng, u1);
    mpfr_ui_sub(u1.backend().data(), 1, u1.backend().data(), MPFR_RNDN);
    uniform(rng, u2);
    mpfr_log(r.backend().data(), u1.backend().data(), MPFR_RNDN);  // r = sqrt(-2 log u1)
    r *= -2;
    in_place_ops::sqrt_in_place(r);
    t = two_pi;
    t *= u2;
    mpfr_real &a = z[std::size_t(k)], &b = z[std::size_t(k + 1)];
    mpfr_sin_cos(u2.backend().data(), u1.backend().data(), t.backend().data(), MPFR_RNDN);  // both correctly rounded
    a = r;
    a *= u1;
    b = r;
    b *= u2;
  }
  if constexpr (w == 2) {  // parts N(0, 1/2)
    half = 1;
    half /= 2;
    in_place_ops::sqrt_in_place(half);
    for (Eigen::Index k = 0; k < reals; ++k) z[std::size_t(k)] *= half;
  }
  in_place_ops::norm_into(norm_y, y);
  norm_g = 0;
  for (Eigen::Index i = 0; i < n; ++i) {  // ||g||^2 summed per entry, as squaredNorm
    t = z[std::size_t(w * i)];
    t *= z[std::size_t(w * i)];
    if constexpr (w == 2) {
      r = z[std::size_t(w * i + 1)];
      r *= z[std::size_t(w * i + 1)];
      t += r;
    }
    norm_g += t;
  }
  in_place_ops::sqrt_in_place(norm_g);
  out = y;
  if (norm_y == 0 || level == 0) {
    for (Eigen::Index k = 0; k < reals; ++k) in_place_ops::reals(out)[k] += 0;
    return;
  }
  if (norm_g == 0)
    throw std::runtime_error("noise seed " + std::to_string(seed) + " gives an all-zero Gaussian vector; use another seed");
  scale = level;
  scale *= norm_y;
  scale /= norm_g;
  mpfr_real* o = in_place_ops::reals(out);
  for (Eigen::Index k = 0; k < reals; ++k) {
    z[std::size_t(k)] *= scale;
    o[k] += z[std::size_t(k)];
  }
}
}  // namespace

template <class T>
void add_relative_noise_into(const Vector<T>& y, const real_of<T>& level, std::uint64_t seed, Vector<T>& out) {
  if constexpr (in_place_ops::in_place<T>) {
    if (!(level >= 0) || !is_finite_scalar(level))
      throw std::invalid_argument("noise level must be a finite number >= 0");
    if (y.size() == 0) throw std::invalid_argument("cannot add noise to an empty vector");
    add_noise_mpfr(y, level, seed, out);
  } else {
    out = y + relative_noise<T>(y, level, seed);
  }
}

#define BARRIERS_X(T)                                                 \
  template Vector<T> gaussian_vector<T>(Eigen::Index, std::uint64_t); \
  template Vector<T> relative_noise<T>(const Vector<T>&, const real_of<T>&, std::uint64_t); \
  template void add_relative_noise_into<T>(const Vector<T>&, const real_of<T>&, std::uint64_t, Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
