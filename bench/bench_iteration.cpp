// Cost of one FIRENET and one WARPd inner iteration in double against the cost
// of the two operator applications (A x and A^* z) it contains, measured alone
// in the same run; and the cost of an observer at solve's default frequency.
//
// Sizes: the 21 x 22 matrix of the Table-1 (P3) family, and seeded Gaussian
// matrices 80 x 200 and 1000 x 4000 (entries N(0, 1/m)), all dense. The
// iteration is everything else an inner step does (soft-threshold, dual
// prox, the ergodic sum, finiteness checks) on top of the two products, so
// the ratio iteration / products is the overhead of the solver's own code
// (goal of issue 11: at most 1.3). Times are CPU time of the process (all
// threads). Every figure is the minimum over `repeats`
// short interleaved measurements (each at least `chunk_seconds` and at least
// one solver call, or as many products as one call does), so that load from other processes, which only ever adds
// time, inflates the figures and their ratios less.
//
// Usage: bench_iteration [chunk_seconds] [repeats]   (defaults 0.02 and 40)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench_matrices.hpp"
#include "bench_timing.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/warpd.hpp"

using namespace barriers;
using barriers::bench::table1_matrix;
using barriers::bench::gaussian_matrix;
using barriers::bench::per_unit;

namespace {

void measure(const char* name, const Matrix<double>& M, double min_seconds, int repeats) {
  const DenseOperator<double> A(M);
  const double L = A.norm_bound();  // once: the runs below get it as a setting
  Vector<double> x_true = Vector<double>::Zero(M.cols());
  for (Eigen::Index i = 0; i < M.cols(); i += std::max<Eigen::Index>(1, M.cols() / 8))
    x_true(i) = 1.0 - 0.1 * double(i % 7);
  const Vector<double> y = A.forward(x_true);
  // Iterations per solver call: enough that the per-call set-up (plan,
  // schedule, final objective: one product) is amortised.
  const int inner = M.cols() > 1000 ? 20 : 50, restarts = M.cols() > 1000 ? 2 : 20;

  FirenetSettings<double> fs;
  fs.lambda = 0.1;
  fs.inner = inner;
  fs.restarts = restarts;
  fs.norm_bound = L;
  FirenetSettings<double> fo = fs;  // with solve's observer at its default frequency
  fo.reference = x_true;
  fo.observer = [](const IterationInfo<double>&) { return true; };
  fo.observe_every = 20;  // solve's automatic --history-every for runs up to 200000 steps
  WarpdSettings<double> ws;
  ws.C1 = ws.C2 = 2;
  ws.inner = inner;
  ws.restarts = restarts;
  ws.L_A = L;

  Vector<double> x = x_true, z = y, ax, atz;
  double products = 1e300, firenet_it = 1e300, warpd_it = 1e300, observed_it = 1e300;
  for (int r = 0; r < repeats; ++r) {
    products = std::min(products, per_unit([&] {  // as many as one solver call does
      for (int k = 0; k < inner * restarts; ++k) {
        A.apply(x, ax);
        A.apply_adjoint(z, atz);
      }
      return long(inner) * restarts;
    }, min_seconds));
    firenet_it = std::min(firenet_it, per_unit([&] { return firenet<double>(A, y, fs).iterations; }, min_seconds));
    observed_it = std::min(observed_it, per_unit([&] { return firenet<double>(A, y, fo).iterations; }, min_seconds));
    warpd_it = std::min(warpd_it, per_unit([&] { return warpd<double>(A, y, ws).iterations; }, min_seconds));
  }
  std::printf("%-24s %5ld x %-5ld %12.3f %12.3f %7.2f %12.3f %7.2f %9.1f %%\n", name, long(M.rows()), long(M.cols()),
              products * 1e6, firenet_it * 1e6, firenet_it / products, warpd_it * 1e6, warpd_it / products,
              100 * (observed_it / firenet_it - 1));
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.02;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 40;
  std::printf("double; CPU microseconds per unit (minimum of %d runs of >= %.3f s each)\n", repeats, min_seconds);
  std::printf("%-24s %13s %12s %12s %7s %12s %7s %11s\n", "instance", "size", "A x + A^*z", "FIRENET it",
              "ratio", "WARPd it", "ratio", "observer");
  measure("Table-1 (P3) matrix", table1_matrix(), min_seconds, repeats);
  measure("Gaussian", gaussian_matrix(80, 200, 42), min_seconds, repeats);
  measure("Gaussian", gaussian_matrix(1000, 4000, 43), min_seconds, repeats);
  std::printf("observer: extra time per FIRENET iteration with an observer (objective and error) every 20th step\n");
  return 0;
}
