// Daubechies filters by spectral factorisation in MPFR.
#include "barriers/solvers/imaging/wavelet_filter.hpp"

#include <stdexcept>
#include <vector>

#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"

namespace barriers {

namespace {
using M = mpfr_real;
using CM = std::complex<mpfr_real>;

M modulus_of(const CM& z) { return sqrt(z.real() * z.real() + z.imag() * z.imag()); }

// The principal square root, without cancellation in either part.
CM complex_sqrt(const CM& z) {
  const M r = modulus_of(z);
  if (r == 0) return CM(M(0), M(0));
  if (z.real() >= 0) {
    const M re = sqrt((r + z.real()) / 2);
    return CM(re, z.imag() / (2 * re));
  }
  M im = sqrt((r - z.real()) / 2);
  if (z.imag() < 0) im = -im;
  return CM(z.imag() / (2 * im), im);
}

// The roots of the monic polynomial with coefficients a_0..a_{d-1}, 1 by
// Durand-Kerner (Weierstrass) iteration, to about the working precision.
std::vector<CM> polynomial_roots(const std::vector<M>& a, unsigned bits) {
  const std::size_t d = a.size();
  std::vector<CM> z(d);
  M radius(1);  // Cauchy's bound: every root has |z| <= 1 + max |a_k|
  for (const M& c : a)
    if (1 + abs(c) > radius) radius = 1 + abs(c);
  const CM seed(M("0.4"), M("0.9"));  // not a root of unity: distinct starts
  CM p(M(1), M(0));
  for (std::size_t i = 0; i < d; ++i) {
    z[i] = p * radius;
    p *= seed;
  }
  const M tol = ldexp(M(1), 16 - int(bits));
  for (int it = 0; it < 5000; ++it) {
    M change(0);
    for (std::size_t i = 0; i < d; ++i) {
      CM value(M(1), M(0)), denom(M(1), M(0));
      for (std::size_t k = d; k-- > 0;) value = value * z[i] + CM(a[k], M(0));
      for (std::size_t j = 0; j < d; ++j)
        if (j != i) denom *= z[i] - z[j];
      const CM step = value / denom;
      z[i] -= step;
      const M size = modulus_of(z[i]), rel = modulus_of(step) / (size > 1 ? size : M(1));
      if (rel > change) change = rel;
    }
    if (change <= tol) return z;
  }
  throw std::runtime_error("the Daubechies polynomial's roots did not converge; this is a bug.");
}

// The filter's exact-enough values at `bits` bits, as rationals.
std::vector<rational> filter_at(int N, unsigned bits) {
  PrecisionGuard wide(bits);
  // (1 + z)^N prod (z - zeta_j), coefficients of z^0, z^1, ...
  std::vector<CM> poly{CM(M(1), M(0))};
  auto multiply_linear = [&poly](const CM& root) {  // poly *= (z - root)
    std::vector<CM> next(poly.size() + 1, CM(M(0), M(0)));
    for (std::size_t k = 0; k < poly.size(); ++k) {
      next[k + 1] += poly[k];
      next[k] -= root * poly[k];
    }
    poly = std::move(next);
  };
  for (int k = 0; k < N; ++k) multiply_linear(CM(M(-1), M(0)));
  if (N > 1) {
    // P(y) / binom(2N-2, N-1), monic of degree N-1.
    std::vector<M> binom(static_cast<std::size_t>(N));
    M b(1);
    for (int k = 0; k < N; ++k) {  // binom(N-1+k, k)
      binom[k] = b;
      b = b * M(N + k) / M(k + 1);
    }
    std::vector<M> monic(static_cast<std::size_t>(N - 1));
    for (int k = 0; k + 1 < N; ++k) monic[k] = binom[k] / binom[N - 1];
    for (const CM& y : polynomial_roots(monic, bits)) {
      const CM t = CM(M(1), M(0)) - CM(M(2), M(0)) * y;  // zeta + 1/zeta = 2 t
      const CM s = complex_sqrt(t * t - CM(M(1), M(0)));
      CM zeta = t + s;
      if (modulus_of(zeta) < 1) zeta = t - s;
      multiply_linear(zeta);
    }
  }
  M sum(0);
  for (const CM& c : poly) sum += c.real();
  const M scale = sqrt(M(2)) / sum;
  std::vector<rational> h;
  for (const CM& c : poly) h.push_back(to_rational(M(c.real() * scale)));
  return h;
}
}  // namespace

template <class R>
Vector<R> daubechies_filter(int moments) {
  if (moments < 1 || moments > max_daubechies_moments)
    throw std::invalid_argument("a Daubechies wavelet has 1.." + std::to_string(max_daubechies_moments) +
                                " vanishing moments, not " + std::to_string(moments) + ".");
  const std::vector<rational> h = filter_at(moments, number_traits<R>::precision_bits() + 64);
  Vector<R> out(Eigen::Index(h.size()));
  for (std::size_t k = 0; k < h.size(); ++k) out(Eigen::Index(k)) = from_rational<R>(h[k]).value;
  return out;
}

int wavelet_moments(const std::string& name) {
  if (name == "haar") return 1;
  if (name.size() >= 3 && name.size() <= 4 && name.compare(0, 2, "db") == 0 &&
      name.find_first_not_of("0123456789", 2) == std::string::npos && name[2] != '0') {
    const int k = std::stoi(name.substr(2));
    if (k >= 1 && k <= max_daubechies_moments) return k;
  }
  throw std::invalid_argument("unknown wavelet '" + name + "'; allowed: haar, db1 .. db" +
                              std::to_string(max_daubechies_moments) + ".");
}

#define BARRIERS_X(R) template Vector<R> daubechies_filter<R>(int);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
