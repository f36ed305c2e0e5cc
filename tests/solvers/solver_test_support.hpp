// Shared helpers for the solver tests: type lists, seeded random data built
// in double and converted exactly to the working type, the (P3) family of
// THEORY.md section 4 and a Gaussian sparse-recovery instance.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include <Eigen/SVD>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/solver_types.hpp"

#define BARRIERS_TEST_REAL_TYPES double, long double, barriers::float128, barriers::mpfr_real
#define BARRIERS_TEST_COMPLEX_TYPES                                                       \
  std::complex<double>, std::complex<long double>, std::complex<barriers::float128>, \
      std::complex<barriers::mpfr_real>
#define BARRIERS_TEST_ALL_TYPES BARRIERS_TEST_REAL_TYPES, BARRIERS_TEST_COMPLEX_TYPES

namespace barriers::test {

/// MPFR precision used by the typed tests (double-and-then-some, cheap enough).
inline constexpr unsigned mpfr_test_bits = 160;

/// Portable N(0,1) draws (Box-Muller on 53-bit uniforms), so the data are the
/// same on every platform and standard library.
class Gaussian {
 public:
  explicit Gaussian(std::uint64_t seed) : rng_(seed) {}
  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (double(rng_() >> 11) + 0.5) * 0x1p-53;
    const double u2 = double(rng_() >> 11) * 0x1p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2 * M_PI * u2);
  }
  std::uint64_t bits() { return rng_(); }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

template <class T>
T random_scalar(Gaussian& g) {
  using R = real_of<T>;
  if constexpr (number_traits<T>::is_complex) {
    const double a = g(), b = g();
    return T(R(a), R(b));
  } else {
    return T(g());
  }
}

template <class T>
Vector<T> random_vector(Gaussian& g, Eigen::Index n) {
  Vector<T> v(n);
  for (Eigen::Index i = 0; i < n; ++i) v(i) = random_scalar<T>(g);
  return v;
}

template <class T>
Matrix<T> random_matrix(Gaussian& g, Eigen::Index m, Eigen::Index n) {
  Matrix<T> A(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) A(i, j) = random_scalar<T>(g);
  return A;
}

/// The (P3) family of THEORY.md section 4 without the DCT mixing (which is
/// orthogonal and leaves the minimisers unchanged): A is (1+N2) x (N1+N2),
/// y = e_1, unique minimiser e_j / a_j. Built at the working precision.
template <class R>
struct P3Family {
  Matrix<R> A;
  Vector<R> y;
  Vector<R> minimiser;
  R lambda;
  R optimal_value;  ///< lambda / a_j
};

template <class R>
P3Family<R> p3_family(int K, int n, int j, int N1 = 2, int N2 = 20) {
  using std::pow;
  using std::sqrt;
  using std::ldexp;
  const R delta = R(1) / 6, lambda = R(1);
  const R gamma = sqrt(R(2)) * (1 - delta) * pow(R(10), K) / (3 * lambda);
  const R rho = 1 - delta;
  const R eps = ldexp(R(1), -n - 1);
  Vector<R> a = Vector<R>::Constant(N1, gamma * lambda / rho);
  a(j - 1) += eps;
  const R a_norm = a.norm();
  P3Family<R> f;
  f.A = Matrix<R>::Zero(1 + N2, N1 + N2);
  f.A.block(0, 0, 1, N1) = a.transpose();
  for (int i = 0; i < N2; ++i) f.A(1 + i, N1 + i) = a_norm;
  f.y = Vector<R>::Zero(1 + N2);
  f.y(0) = 1;
  f.minimiser = Vector<R>::Zero(N1 + N2);
  f.minimiser(j - 1) = 1 / a(j - 1);
  f.lambda = lambda;
  f.optimal_value = lambda / a(j - 1);
  return f;
}

/// Constants of a (P3) family member that the restart schemes need (derived
/// in docs/solvers.md, "The (P3) family"): ||A||_2 = ||a||_2 exactly
/// (A A^T = ||a||^2 I); the gap a_j - a_i = 2^-(n+1); and the sharpness
/// constant C1 = ||a|| / (lambda gap) of F(x) = lambda ||x||_1 + ||A x - y||
/// at x* = e_j/a_j: ||x - x*|| <= C1 (F(x) - F(x*)) for every x, with equality
/// along the segment from x* towards e_i/a_i (the flattest direction).
template <class R>
struct P3Constants {
  R a_norm;  ///< ||a||_2 = ||A||_2
  R gap;     ///< 2^-(n+1)
  R C1;      ///< ||a|| / (lambda gap)
};

template <class R>
P3Constants<R> p3_constants(const P3Family<R>& f, int n) {
  using std::ldexp;
  P3Constants<R> c;
  c.a_norm = f.A.row(0).norm();
  c.gap = ldexp(R(1), -n - 1);
  c.C1 = c.a_norm / (f.lambda * c.gap);
  return c;
}

/// Seeded m x N Gaussian sparse-recovery instance: A_ij ~ N(0, 1/m), x has s
/// non-zeros N(0,1) at random positions, y = A x + e with ||e|| = noise (e = 0
/// when noise = 0). Built in double and converted exactly to T.
template <class T>
struct SparseInstance {
  Matrix<T> A;
  Vector<T> x;
  Vector<T> y;
};

template <class T>
SparseInstance<T> sparse_instance(std::uint64_t seed, Eigen::Index m, Eigen::Index N, Eigen::Index s,
                                  double noise) {
  Gaussian g(seed);
  Matrix<double> A(m, N);
  for (Eigen::Index j = 0; j < N; ++j)
    for (Eigen::Index i = 0; i < m; ++i) A(i, j) = g() / std::sqrt(double(m));
  Vector<double> x = Vector<double>::Zero(N);
  for (Eigen::Index k = 0; k < s;) {
    const Eigen::Index pos = Eigen::Index(g.bits() % std::uint64_t(N));
    if (x(pos) != 0) continue;
    x(pos) = g();
    ++k;
  }
  Vector<double> e(m);
  for (Eigen::Index i = 0; i < m; ++i) e(i) = g();
  SparseInstance<T> out;
  out.A = A.template cast<T>();
  out.x = x.template cast<T>();
  Vector<T> yt = out.A * out.x;  // exact data, then noise at the working precision
  if (noise > 0) {
    const Vector<T> et = e.template cast<T>();
    yt += et * (real_of<T>(noise) / real_of<T>(et.norm()));
  }
  out.y = yt;
  return out;
}

// ||A||_2 of a matrix stored exactly in double (the test instances are),
// from the SVD in double with a relative margin far above its error.
inline double svd_norm_bound(const Matrix<double>& A) {
  return Eigen::JacobiSVD<Matrix<double>>(A).singularValues()(0) * (1 + 1e-9);
}

}  // namespace barriers::test
