// Certified operator-norm bounds: how far above ||A||_2, and at what cost.
//
// For seeded Gaussian matrices at the benchmark sizes (21 x 22, 80 x 200,
// 1000 x 4000), real and complex, stored in double, long double, float128
// and MPFR (128 and 256 bits requested), prints bound / ||A||_2 for
// certified_norm_bound (the tight Gram-Cholesky bound when it certifies) and
// for a_priori_norm_bound (the cheap bound, which was the only one before),
// and the wall time of each. The data are doubles converted exactly, so one
// reference serves every type: the top eigenvalue of the Gram matrix by
// Eigen's symmetric eigensolver in double (independent of the bound's
// Lanczos + Cholesky; relative error about s u).
//
// Usage: bench_norm [max_rows]   (default 1000: all sizes)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <Eigen/Eigenvalues>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/operator_norm.hpp"

using namespace barriers;

namespace {

double normal(std::mt19937_64& rng) {
  const double u1 = (double(rng() >> 11) + 0.5) * 0x1p-53, u2 = double(rng() >> 11) * 0x1p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

template <class T>
Matrix<T> gaussian(Eigen::Index m, Eigen::Index n, std::uint64_t seed) {
  using R = real_of<T>;
  std::mt19937_64 rng(seed);
  Matrix<T> A(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      if constexpr (number_traits<T>::is_complex) {
        const double re = normal(rng), im = normal(rng);
        A(i, j) = T(R(re), R(im));
      } else {
        A(i, j) = T(normal(rng));
      }
    }
  return A;
}

template <class C>
double reference_norm(const Matrix<C>& A) {
  const Matrix<C> G = A.rows() <= A.cols() ? Matrix<C>(A * A.adjoint()) : Matrix<C>(A.adjoint() * A);
  Eigen::SelfAdjointEigenSolver<Matrix<C>> es(G, Eigen::EigenvaluesOnly);
  return std::sqrt(es.eigenvalues().maxCoeff());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class T>
void row(const char* name, const Matrix<double>& Mr, const Matrix<std::complex<double>>& Mc, double ref) {
  Matrix<T> A;
  if constexpr (number_traits<T>::is_complex)
    A = Mc.unaryExpr([](const std::complex<double>& z) {
      return T(real_of<T>(z.real()), real_of<T>(z.imag()));
    });
  else
    A = Mr.unaryExpr([](double x) { return T(x); });
  auto t0 = std::chrono::steady_clock::now();
  const double tight = static_cast<double>(certified_norm_bound(A));
  const double t_tight = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  const double cheap = static_cast<double>(a_priori_norm_bound(A));
  const double t_cheap = seconds_since(t0);
  std::printf("  %-22s %12.7f %9.3f   %10.4f %9.3f\n", name, tight / ref, t_tight, cheap / ref, t_cheap);
}

}  // namespace

int main(int argc, char** argv) {
  const long max_rows = argc > 1 ? std::atol(argv[1]) : 1000;
  std::printf("bound / ||A||_2 and seconds; certified = certified_norm_bound, a priori = the old bound\n");
  const std::pair<int, int> sizes[] = {{21, 22}, {80, 200}, {1000, 4000}};
  for (auto [m, n] : sizes) {
    if (m > max_rows) continue;
    const Matrix<double> Mr = gaussian<double>(m, n, 7);
    const Matrix<std::complex<double>> Mc = gaussian<std::complex<double>>(m, n, 8);
    const double ref_r = reference_norm(Mr), ref_c = reference_norm(Mc);
    std::printf("%d x %d (||A|| real %.6g, complex %.6g)\n", m, n, ref_r, ref_c);
    std::printf("  %-22s %12s %9s   %10s %9s\n", "type", "certified", "s", "a priori", "s");
    row<double>("double", Mr, Mc, ref_r);
    row<long double>("long double", Mr, Mc, ref_r);
    row<float128>("float128", Mr, Mc, ref_r);
    for (unsigned bits : {128u, 256u}) {
      PrecisionGuard g(bits);
      const std::string name = "mpfr " + std::to_string(g.bits()) + " bits";
      row<mpfr_real>(name.c_str(), Mr, Mc, ref_r);
    }
    row<std::complex<double>>("complex double", Mr, Mc, ref_c);
    row<std::complex<long double>>("complex long double", Mr, Mc, ref_c);
    row<std::complex<float128>>("complex float128", Mr, Mc, ref_c);
    for (unsigned bits : {128u, 256u}) {
      PrecisionGuard g(bits);
      const std::string name = "complex mpfr " + std::to_string(g.bits());
      row<std::complex<mpfr_real>>(name.c_str(), Mr, Mc, ref_c);
    }
  }
  return 0;
}
