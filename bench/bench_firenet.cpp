// FIRENET iteration cost per number type, as a ratio to double.
//
// Two instances: the 21 x 22 matrix of the Table-1 (P3) family (THEORY.md
// section 4, K = 1, n = 10, j = 2; the orthogonal DCT mixing is left out: the
// matrix is used dense, so its cost per iteration is the same) and a seeded
// 80 x 200 Gaussian sparse-recovery matrix. For each type the same FIRENET
// run (real data, lambda = 0.1, p = 20) is repeated until at least
// `min_seconds` have passed; the figure is wall time per inner iteration
// (two dense products, a soft-threshold and a ball projection). double is
// measured first in the same process and every row is divided by it.
//
// Usage: bench_firenet [min_seconds]   (default 0.5)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "bench_matrices.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"

using namespace barriers;
using barriers::bench::table1_matrix;
using barriers::bench::gaussian_matrix;

namespace {

// Nanoseconds per inner FIRENET iteration in type R on matrix M.
template <class R>
double ns_per_iteration(const Matrix<double>& M, double min_seconds) {
  const Matrix<R> A_ = M.cast<R>();
  DenseOperator<R> A(A_);
  Vector<R> x = Vector<R>::Zero(M.cols());
  x(0) = R(1);
  x(M.cols() / 2) = R(-0.5);
  const Vector<R> y = A.forward(x);
  FirenetSettings<R> s;
  s.lambda = R(0.1);
  s.inner = 20;
  s.restarts = 5;
  long iterations = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    const SolverResult<R> r = firenet<R>(A, y, s);
    iterations += r.iterations;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < min_seconds);
  return elapsed * 1e9 / double(iterations);
}

void run(const char* name, const Matrix<double>& M, double min_seconds) {
  std::printf("\n%s (%ld x %ld), FIRENET p = 20\n", name, long(M.rows()), long(M.cols()));
  std::printf("%-22s %14s %12s\n", "type", "ns/iteration", "x double");
  const double base = ns_per_iteration<double>(M, min_seconds);
  auto row = [&](const std::string& type, double ns) {
    std::printf("%-22s %14.0f %12.1f\n", type.c_str(), ns, ns / base);
  };
  row("double", base);
  row("long double", ns_per_iteration<long double>(M, min_seconds));
  row("float128", ns_per_iteration<float128>(M, min_seconds));
  for (unsigned bits : {113u, 128u, 256u, 1024u}) {  // 113: float128's precision
    PrecisionGuard guard(bits);
    row("mpfr " + std::to_string(guard.bits()) + " bits", ns_per_iteration<mpfr_real>(M, min_seconds));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
  run("Table-1 (P3) instance", table1_matrix(), min_seconds);
  run("Gaussian instance", gaussian_matrix(80, 200, 42), min_seconds);
  return 0;
}
