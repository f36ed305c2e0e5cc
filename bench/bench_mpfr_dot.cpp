// MPFR dense products against Arb's fastest dot product, per multiply-add.
//
// For each precision: an m x n matrix and vectors with random full-precision
// entries (every limb busy, signs random, exponents in [-3, 3]); one A x plus
// one A^* y, timed as
//   fma     the previous real path: one mpfr_fma per multiply-add
//   eigen   the previous complex path: Eigen's generic product
//   kernel  DenseOperator's product through mpfr_dot (packing x included)
//   arb     arb_approx_dot / acb_approx_dot over the same numbers as arf/arb
//           (rows and columns stored contiguously, as the kernel's packs are;
//           the conjugated columns for A^* y are stored conjugated)
// in ns of thread CPU time per real (resp. complex) multiply-add: the minimum
// over interleaved repeats, so the load of a shared machine matters less.
// Run: ./bench/bench_mpfr_dot [seconds per measurement, default 0.3]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <acb.h>
#include <arb.h>
#include <gmp.h>
#include <mpfr.h>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/mpfr_dot.hpp"

using namespace barriers;

namespace {
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Minimum seconds per call of each job over `rounds` interleaved rounds.
std::vector<double> time_interleaved(const std::vector<std::function<void()>>& jobs, double seconds) {
  const int rounds = 7;
  std::vector<double> best(jobs.size(), 1e300);
  for (int r = 0; r < rounds; ++r)
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      long calls = 0;
      const double t0 = thread_seconds();
      double t = t0;
      do {
        jobs[j]();
        ++calls;
        t = thread_seconds();
      } while (t - t0 < seconds / rounds);
      best[j] = std::min(best[j], (t - t0) / double(calls));
    }
  return best;
}

struct Random {
  Random() { gmp_randinit_default(state); gmp_randseed_ui(state, 42); }
  ~Random() { gmp_randclear(state); }
  void fill(mpfr_ptr x) {
    do mpfr_urandomb(x, state);
    while (mpfr_zero_p(x));
    mpfr_set_exp(x, long(gmp_urandomm_ui(state, 7)) - 3);
    if (gmp_urandomb_ui(state, 1)) mpfr_neg(x, x, MPFR_RNDN);
  }
  gmp_randstate_t state;
};

mpfr_ptr part(mpfr_real& x, int) { return x.backend().data(); }
mpfr_ptr part(std::complex<mpfr_real>& z, int c) { return reinterpret_cast<mpfr_real*>(&z)[c].backend().data(); }

template <class T>
void fill(Random& rng, T& x) {
  x = T(0);
  rng.fill(part(x, 0));
  if constexpr (!std::is_same_v<T, mpfr_real>) rng.fill(part(x, 1));
}

void real_row(unsigned bits, Eigen::Index m, Eigen::Index n, double seconds) {
  PrecisionGuard guard(bits);
  const long prec = long(mpfr_working_bits());
  Random rng;
  Matrix<mpfr_real> A(m, n);
  Vector<mpfr_real> x(n), y(m), ax(m), aty(n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) fill(rng, A(i, j));
  for (auto& v : x) fill(rng, v);
  for (auto& v : y) fill(rng, v);
  const DenseOperator<mpfr_real> op(A);
  // Arb: rows and columns of A as arb vectors, x and y likewise.
  arb_ptr rows = _arb_vec_init(m * n), cols = _arb_vec_init(m * n), ax_ = _arb_vec_init(n), ay = _arb_vec_init(m);
  arb_t res;
  arb_init(res);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      arf_set_mpfr(arb_midref(rows + i * n + j), A(i, j).backend().data());
      arf_set_mpfr(arb_midref(cols + j * m + i), A(i, j).backend().data());
    }
  for (Eigen::Index j = 0; j < n; ++j) arf_set_mpfr(arb_midref(ax_ + j), x(j).backend().data());
  for (Eigen::Index i = 0; i < m; ++i) arf_set_mpfr(arb_midref(ay + i), y(i).backend().data());

  auto fma = [&] {
    for (Eigen::Index i = 0; i < m; ++i) ax(i) = mpfr_real(0);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < m; ++i)
        mpfr_fma(part(ax(i), 0), A(i, j).backend().data(), x(j).backend().data(), part(ax(i), 0), MPFR_RNDN);
    for (Eigen::Index j = 0; j < n; ++j) {
      aty(j) = mpfr_real(0);
      for (Eigen::Index i = 0; i < m; ++i)
        mpfr_fma(part(aty(j), 0), A(i, j).backend().data(), y(i).backend().data(), part(aty(j), 0), MPFR_RNDN);
    }
  };
  auto kernel = [&] {
    op.apply(x, ax);
    op.apply_adjoint(y, aty);
  };
  auto arb = [&] {
    for (Eigen::Index i = 0; i < m; ++i) arb_approx_dot(res, nullptr, 0, rows + i * n, 1, ax_, 1, n, prec);
    for (Eigen::Index j = 0; j < n; ++j) arb_approx_dot(res, nullptr, 0, cols + j * m, 1, ay, 1, m, prec);
  };
  const MpfrDotCounters before = mpfr_dot_counters();
  const auto t = time_interleaved({fma, kernel, arb}, seconds);
  const MpfrDotCounters& after = mpfr_dot_counters();
  const double madds = 2.0 * double(m) * double(n);
  std::printf("real    %5ld %4ld x %-4ld %9.2f %9s %9.2f %9.2f %7.2f %7.2f   redone %llu of %llu\n", prec, long(m),
              long(n), 1e9 * t[0] / madds, "-", 1e9 * t[1] / madds, 1e9 * t[2] / madds, t[1] / t[2], t[0] / t[1],
              (unsigned long long)(after.redone - before.redone),
              (unsigned long long)(after.redone - before.redone + after.certified - before.certified + after.zero -
                                   before.zero));
  arb_clear(res);
  _arb_vec_clear(rows, m * n);
  _arb_vec_clear(cols, m * n);
  _arb_vec_clear(ax_, n);
  _arb_vec_clear(ay, m);
}

void complex_row(unsigned bits, Eigen::Index m, Eigen::Index n, double seconds) {
  using C = std::complex<mpfr_real>;
  PrecisionGuard guard(bits);
  const long prec = long(mpfr_working_bits());
  Random rng;
  Matrix<C> A(m, n);
  Vector<C> x(n), y(m), ax(m), aty(n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) fill(rng, A(i, j));
  for (auto& v : x) fill(rng, v);
  for (auto& v : y) fill(rng, v);
  const DenseOperator<C> op(A);
  acb_ptr rows = _acb_vec_init(m * n), cols = _acb_vec_init(m * n), ax_ = _acb_vec_init(n), ay = _acb_vec_init(m);
  acb_t res;
  acb_init(res);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      for (int c = 0; c < 2; ++c) {
        acb_ptr r = rows + i * n + j, k = cols + j * m + i;
        arf_set_mpfr(arb_midref(c ? acb_imagref(r) : acb_realref(r)), part(A(i, j), c));
        arf_set_mpfr(arb_midref(c ? acb_imagref(k) : acb_realref(k)), part(A(i, j), c));
        if (c) arf_neg(arb_midref(acb_imagref(k)), arb_midref(acb_imagref(k)));  // conj for A^* y
      }
  for (Eigen::Index j = 0; j < n; ++j)
    for (int c = 0; c < 2; ++c) arf_set_mpfr(arb_midref(c ? acb_imagref(ax_ + j) : acb_realref(ax_ + j)), part(x(j), c));
  for (Eigen::Index i = 0; i < m; ++i)
    for (int c = 0; c < 2; ++c) arf_set_mpfr(arb_midref(c ? acb_imagref(ay + i) : acb_realref(ay + i)), part(y(i), c));

  auto eigen = [&] {
    ax.noalias() = A * x;
    aty.noalias() = A.adjoint() * y;
  };
  auto kernel = [&] {
    op.apply(x, ax);
    op.apply_adjoint(y, aty);
  };
  auto acb = [&] {
    for (Eigen::Index i = 0; i < m; ++i) acb_approx_dot(res, nullptr, 0, rows + i * n, 1, ax_, 1, n, prec);
    for (Eigen::Index j = 0; j < n; ++j) acb_approx_dot(res, nullptr, 0, cols + j * m, 1, ay, 1, m, prec);
  };
  const auto t = time_interleaved({eigen, kernel, acb}, seconds);
  const double madds = 2.0 * double(m) * double(n);
  std::printf("complex %5ld %4ld x %-4ld %9s %9.2f %9.2f %9.2f %7.2f %7.2f\n", prec, long(m), long(n), "-",
              1e9 * t[0] / madds, 1e9 * t[1] / madds, 1e9 * t[2] / madds, t[1] / t[2], t[0] / t[1]);
  acb_clear(res);
  _acb_vec_clear(rows, m * n);
  _acb_vec_clear(cols, m * n);
  _acb_vec_clear(ax_, n);
  _acb_vec_clear(ay, m);
}
}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
  set_dense_operator_threads(1);
  std::printf("ns of thread CPU time per multiply-add (complex rows: per complex multiply-add);\n"
              "one A x plus one A^* y; minimum of 7 interleaved repeats\n\n");
  std::printf("type     bits  size        %9s %9s %9s %9s %7s %7s\n", "fma", "eigen", "kernel", "arb", "k/arb",
              "old/k");
  const unsigned bits_list[] = {64, 128, 256, 512, 1024, 4096};
  for (unsigned bits : bits_list) real_row(bits, bits >= 4096 ? 20 : 80, bits >= 4096 ? 50 : 200, seconds);
  for (unsigned bits : bits_list) complex_row(bits, bits >= 4096 ? 20 : 80, bits >= 4096 ? 50 : 200, seconds);
  std::printf("\n(bits: the precision in force; 64, 256, 512, 1024 and 4096 are rounded up by the\n"
              "precision guard where Boost cannot set them, see docs/performance.md)\n");
}
