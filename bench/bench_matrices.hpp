// The matrices the benchmarks time on, built the same way in every bench.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "barriers/precision/eigen_support.hpp"

namespace barriers::bench {

/// The Table-1 (P3) family member K = 1, n = 10, j = 2 (21 x 22), in double.
inline Matrix<double> table1_matrix() {
  const int K = 1, n = 10, N1 = 2, N2 = 20, j = 2;
  const double delta = 1.0 / 6, lambda = 1;
  const double gamma = std::sqrt(2.0) * (1 - delta) * std::pow(10.0, K) / (3 * lambda);
  Vector<double> a = Vector<double>::Constant(N1, gamma * lambda / (1 - delta));
  a(j - 1) += std::ldexp(1.0, -n - 1);
  Matrix<double> A = Matrix<double>::Zero(1 + N2, N1 + N2);
  A.block(0, 0, 1, N1) = a.transpose();
  for (int i = 0; i < N2; ++i) A(1 + i, N1 + i) = a.norm();
  return A;
}

/// A seeded m x N Gaussian matrix, entries N(0, 1/m).
inline Matrix<double> gaussian_matrix(int m, int N, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Matrix<double> A(m, N);
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < m; ++i) {
      // Box-Muller from 53-bit uniforms: portable across standard libraries.
      const double u1 = (double(rng() >> 11) + 0.5) * 0x1p-53, u2 = double(rng() >> 11) * 0x1p-53;
      A(i, j) = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2) / std::sqrt(double(m));
    }
  return A;
}

}  // namespace barriers::bench
