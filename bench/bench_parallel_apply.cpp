// Dense operator products on 1 and 2 threads.
//
// For each size and type, times one A x plus one A^* y (repeated until
// `min_seconds` have passed, minimum of 3 rounds) with
// set_dense_operator_threads(1) and (2), and prints the speed-up. The
// products are computed in blocks above the type's threshold whatever the
// thread count, so both columns do the same arithmetic; the results are
// checked bit-identical. The smaller sizes are where the threshold
// (dense_parallel_threshold) was chosen: 2 threads should not lose there.
//
// Then whole FIRENET solves (double at 1000 x 4000, MPFR 128 at 300 x 700;
// fixed iteration counts, norm bound passed in) at 1 and 2 threads: wall and
// CPU seconds, the wall speed-up and whether the solutions are bit-identical;
// and the operator's construction (the certified norm bound, the set-up of a
// solve), which does not use the product threads.
//
// Usage: bench_parallel_apply [min_seconds] [solve]   (default 0.3; "solve":
// only the whole solves)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <type_traits>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "bench_timing.hpp"

using namespace barriers;

namespace {

template <class T>
Matrix<T> gaussian(Eigen::Index m, Eigen::Index n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Matrix<T> A(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) A(i, j) = T(double(rng() >> 11) * 0x1p-53 - 0.5);
  return A;
}

// Seconds per (A x + A^* y), minimum over 3 rounds of at least min_seconds / 3.
template <class Op, class T>
double seconds_per_pair(const Op& A, const Vector<T>& x, const Vector<T>& y, Vector<T>& ax,
                        Vector<T>& aty, double min_seconds) {
  double best = 1e300;
  for (int round = 0; round < 3; ++round) {
    long reps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      A.apply(x, ax);
      A.apply_adjoint(y, aty);
      ++reps;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < min_seconds / 3);
    best = std::min(best, elapsed / double(reps));
  }
  return best;
}

template <class T>
void row(const char* name, Eigen::Index m, Eigen::Index n, double min_seconds) {
  const DenseOperator<T> A(gaussian<T>(m, n, 3));
  const Vector<T> x = gaussian<T>(n, 1, 4), y = gaussian<T>(m, 1, 5);
  Vector<T> ax1, aty1, ax2, aty2;
  set_dense_operator_threads(1);
  const double t1 = seconds_per_pair(A, x, y, ax1, aty1, min_seconds);
  set_dense_operator_threads(2);
  const double t2 = seconds_per_pair(A, x, y, ax2, aty2, min_seconds);
  set_dense_operator_threads(1);
  // The plain whole-matrix Eigen products, for the cost of blocking itself
  // (not for MPFR, whose products bypass Eigen).
  double plain = 0;
  if constexpr (!std::is_same_v<T, mpfr_real>) {
    struct Plain {
      const Matrix<T>& M;
      void apply(const Vector<T>& v, Vector<T>& out) const { out.noalias() = M * v; }
      void apply_adjoint(const Vector<T>& v, Vector<T>& out) const { out.noalias() = M.adjoint() * v; }
    } p{A.matrix()};
    Vector<T> a, b;
    plain = seconds_per_pair(p, x, y, a, b, min_seconds);
  }
  const bool same = ax1 == ax2 && aty1 == aty2;
  char plain_text[32] = "-";
  if (plain > 0) std::snprintf(plain_text, sizeof plain_text, "%.1f", plain * 1e6);
  std::printf("  %-16s %5ld x %-5ld %10.3g %12s %12.1f %12.1f %8.2f  %s\n", name, long(m), long(n),
              2.0 * double(m) * double(n), plain_text, t1 * 1e6, t2 * 1e6, t1 / t2,
              same ? "identical" : "DIFFERENT");
}

// One FIRENET solve of restarts x inner steps at 1 and 2 threads.
template <class T>
void solve_row(const char* name, Eigen::Index m, Eigen::Index n, int restarts, int inner) {
  using R = real_of<T>;
  auto c0 = std::chrono::steady_clock::now();
  const DenseOperator<T> A(gaussian<T>(m, n, 6));
  const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  Vector<T> x = Vector<T>::Zero(n);
  for (Eigen::Index i = 0; i < n; i += 10) x(i) = T(1);
  const Vector<T> y = A.forward(x);
  FirenetSettings<T> s;
  s.lambda = R(0.01);
  s.restarts = restarts;
  s.inner = inner;
  s.norm_bound = A.norm_bound();
  double wall[2], cpu[2];
  Vector<T> out[2];
  for (unsigned t : {1u, 2u}) {
    set_dense_operator_threads(t);
    const double cpu0 = bench::cpu_seconds();
    c0 = std::chrono::steady_clock::now();
    out[t - 1] = firenet<T>(A, y, s).solution;
    wall[t - 1] = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    cpu[t - 1] = bench::cpu_seconds() - cpu0;
  }
  set_dense_operator_threads(1);
  std::printf("  %-10s %5ld x %-5ld %6d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f  %s\n", name, long(m), long(n),
              restarts * inner, setup, wall[0], cpu[0], wall[1], cpu[1], wall[0] / wall[1],
              out[0] == out[1] ? "identical" : "DIFFERENT");
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
  const bool products = !(argc > 2 && std::string(argv[2]) == "solve");
  if (products) std::printf("one A x plus one A^* y in microseconds: plain Eigen (whole matrix), DenseOperator at 1\n"
              "and 2 threads, speed-up 1 -> 2 threads, and whether the two results are bit-identical\n");
  if (products) std::printf("  %-16s %13s %10s %12s %12s %12s %8s\n", "type", "size", "madds", "plain", "1 thread", "2 threads",
              "speed-up");
  const std::pair<int, int> sizes[] = {{30, 60},   {60, 120},   {100, 250},  {150, 400},
                                       {300, 700}, {500, 1000}, {700, 1500}, {1000, 2000}, {1000, 4000}};
  if (products) {
    for (auto [m, n] : sizes) row<double>("double", m, n, min_seconds);
    for (auto [m, n] : sizes) row<std::complex<double>>("complex double", m, n, min_seconds);
    for (auto [m, n] : sizes) row<float128>("float128", m, n, min_seconds);
    PrecisionGuard g(128);
    for (auto [m, n] : sizes) row<mpfr_real>("mpfr 128", m, n, min_seconds);
  }
  std::printf("whole FIRENET solves (norm bound passed in), seconds: set-up (operator and norm bound),\n"
              "wall and CPU at 1 and 2 threads, wall speed-up, solutions bit-identical\n");
  std::printf("  %-10s %13s %6s %8s %8s %8s %8s %8s %8s\n", "type", "size", "steps", "set-up", "wall 1", "cpu 1",
              "wall 2", "cpu 2", "speed-up");
  solve_row<double>("double", 1000, 4000, 4, 50);
  PrecisionGuard g(128);
  solve_row<mpfr_real>("mpfr 128", 300, 700, 1, 20);
  return 0;
}
