#include <doctest/doctest.h>

#include <Eigen/SVD>
#include <cmath>

#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/firenet_network.hpp"
#include "barriers/solvers/subsampled_dft.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// Errors ||psi_r - x|| at the end of every restart, through the observer.
template <class T>
std::vector<double> firenet_restart_errors(const SparseInstance<T>& inst, FirenetSettings<T> s) {
  using R = real_of<T>;
  std::vector<double> errors;
  DenseOperator<T> A(inst.A);
  s.reference = inst.x;
  s.observer = [&](const IterationInfo<R>& info) {
    if (info.iteration % s.inner == 0) errors.push_back(static_cast<double>(*info.error));
    return true;
  };
  const SolverResult<T> r = firenet<T>(A, inst.y, s);
  CHECK(r.iterations == long(s.restarts) * s.inner);
  CHECK(std::abs(static_cast<double>(R((r.solution - inst.x).norm())) - errors.back()) <= 1e-12 * errors.back());
  return errors;
}
}  // namespace

// Linear convergence (THEORY.md section 6): the error should fall at least
// like e^-1 per restart until it reaches the noise floor. We measure the
// per-restart ratio on every restart whose error is still 3x above the final
// floor, require each ratio <= 0.5 and their geometric mean <= 0.45 (theory:
// e^-1 = 0.37), and require at least 4 such restarts so the rate is measured
// over a real range.
TEST_CASE_TEMPLATE("FIRENET converges linearly to the noise floor (80 x 200, s = 8, noise 1e-3)", T, double,
                   float128) {
  using R = real_of<T>;
  const SparseInstance<T> inst = sparse_instance<T>(42, 80, 200, 8, 1e-3);
  FirenetSettings<T> s;
  s.lambda = R(0.1);
  s.inner = 20;
  s.restarts = 20;
  s.delta = R(1e-3);
  s.norm_bound = R(svd_norm_bound(inst.A.template cast<double>()));
  const std::vector<double> e = firenet_restart_errors(inst, s);
  const double floor = e.back();
  CHECK(floor <= 2e-3);  // of the order of the noise, ||e|| = 1e-3
  int measured = 0;
  double log_sum = 0;
  for (std::size_t r = 0; r + 1 < e.size() && e[r] > 3 * floor; ++r) {
    INFO("restart ", r, ": ", e[r], " -> ", e[r + 1]);
    CHECK(e[r + 1] <= 0.5 * e[r]);
    log_sum += std::log(e[r + 1] / e[r]);
    ++measured;
  }
  CHECK(measured >= 4);
  CHECK(std::exp(log_sum / measured) <= 0.45);
}

// Precision matters: without noise, FIRENET keeps gaining a factor e per
// restart for as long as the arithmetic allows. At 256 bits it reaches 1e-50;
// in double it stalls at the level of double's epsilon. A 30 x 60 instance
// (s = 3) keeps the MPFR run to a few seconds; p = 15 inner steps are needed
// for the e^-1 rate on it (p = 10 stalls, measured).
TEST_CASE("FIRENET: MPFR at 256 bits reaches 1e-50 where double stalls near its epsilon") {
  const int restarts = 125;
  double err_double = 0;
  {
    const SparseInstance<double> inst = sparse_instance<double>(5, 30, 60, 3, 0.0);
    FirenetSettings<double> s;
    s.lambda = 0.1;
    s.inner = 15;
    s.restarts = restarts;
    s.norm_bound = svd_norm_bound(inst.A);
    DenseOperator<double> A(inst.A);
    const SolverResult<double> r = firenet<double>(A, inst.y, s);
    err_double = (r.solution - inst.x).norm() / inst.x.norm();
    const double eps = std::numeric_limits<double>::epsilon();
    INFO("double relative error ", err_double);
    CHECK(err_double >= eps / 100);  // no better than rounding allows...
    CHECK(err_double <= 1e4 * eps);  // ...but it does get down there
  }
  PrecisionGuard guard(256);
  using R = mpfr_real;
  const SparseInstance<R> inst = sparse_instance<R>(5, 30, 60, 3, 0.0);
  FirenetSettings<R> s;
  s.lambda = R(0.1);
  s.inner = 15;
  s.restarts = restarts;
  s.norm_bound = R(svd_norm_bound(inst.A.cast<double>()));
  DenseOperator<R> A(inst.A);
  const SolverResult<R> r = firenet<R>(A, inst.y, s);
  const R err = R((r.solution - inst.x).norm() / inst.x.norm());
  INFO("mpfr relative error ", static_cast<double>(err), " double ", err_double);
  CHECK(err < R(1e-50));
}

// On the (P3) family of THEORY.md section 4 FIRENET reaches the optimal value,
// but its iterates stay near the midpoint of e_1/a_1 and e_2/a_2 (distance
// about 0.7 ||e_j/a_j|| = 1.5 10^-K, the FIRENET column of the published
// table): the restart scheme needs p ~ C1 L inner steps with a sharpness
// constant C1 ~ a / (lambda 2^-(n+1)) that is astronomically large here. What
// holds is the K-1 digit guarantee: distance <= 10^-(K-1).
TEST_CASE_TEMPLATE("FIRENET on the (P3) family: optimal value, K-1 digits", T, double, float128) {
  using R = real_of<T>;
  const R eps = number_traits<R>::epsilon();
  for (int K : {1, 3, 6})
    for (int j : {1, 2}) {
      const P3Family<R> f = p3_family<R>(K, 10, j);
      DenseOperator<T> A(f.A.template cast<T>());
      FirenetSettings<T> s;
      s.lambda = f.lambda;
      s.inner = 50;
      s.restarts = 40;
      const SolverResult<T> r = firenet<T>(A, f.y.template cast<T>(), s);
      const R dist = R((r.solution - f.minimiser.template cast<T>()).norm());
      INFO("K = ", K, ", j = ", j, ", distance ", static_cast<double>(dist));
      CHECK(r.objective >= f.optimal_value * (1 - 64 * eps));
      CHECK(r.objective <= f.optimal_value * (1 + R(1e-3)));
      using std::pow;
      CHECK(dist <= pow(R(10), 1 - K));
    }
}

TEST_CASE_TEMPLATE("unrolled FIRENET equals the algorithm to the last bit", T, double, std::complex<double>,
                   float128, mpfr_real, std::complex<mpfr_real>) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(77);
  const Matrix<T> M = random_matrix<T>(g, 12, 30) * R(0.2);
  Vector<T> x = Vector<T>::Zero(30);
  x(3) = random_scalar<T>(g);
  x(17) = random_scalar<T>(g);
  const Vector<T> y = M * x;
  auto A = std::make_shared<DenseOperator<T>>(M);
  FirenetSettings<T> s;
  s.lambda = R(0.3);
  s.inner = 7;
  s.restarts = 4;
  s.weights = sparsity_in_levels_weights<R>({10, 30}, {1, 1});
  const SolverResult<T> alg = firenet<T>(*A, y, s);
  FirenetNetwork<T> net(A, s);
  const Vector<T> out = net(y);
  CHECK(out == alg.solution);  // bitwise: same operations in the same order
  CHECK(net.num_layers() == std::size_t(s.restarts * (2 * s.inner + 2)));
  const Eigen::Index c = number_traits<T>::is_complex ? 2 : 1;
  CHECK(net.max_width() == c * (30 + 12));
  CHECK(net.input_width() == c * 12);
  CHECK(net.output_width() == c * 30);
  CHECK(net.layers().front().kind == NetworkLayer::Kind::scale);
  CHECK(net.layers().back().kind == NetworkLayer::Kind::average);
  // With eps0 fixed in advance the network is still the algorithm.
  s.eps0 = R(2);
  CHECK(FirenetNetwork<T>(A, s)(y) == firenet<T>(*A, y, s).solution);
}

// Compressed sensing with complex data: 3-sparse x in C^64 seen through about
// half of the unitary DFT rows (noiseless). FIRENET gains e per restart, so 45
// restarts take it to the rounding floor of double and long double.
TEST_CASE_TEMPLATE("FIRENET recovers a sparse complex vector from subsampled Fourier data", T,
                   std::complex<double>, std::complex<long double>) {
  using R = real_of<T>;
  Gaussian g(3);
  const Eigen::Index N = 64;
  std::vector<Eigen::Index> rows;
  for (Eigen::Index k = 0; k < N; ++k)
    if (g.bits() % 2 == 0) rows.push_back(k);
  SubsampledDft<T> A(N, rows);
  Vector<T> x = Vector<T>::Zero(N);
  x(5) = random_scalar<T>(g);
  x(20) = random_scalar<T>(g);
  x(41) = random_scalar<T>(g);
  FirenetSettings<T> s;
  s.lambda = R(0.1);
  s.inner = 10;
  s.restarts = 45;
  const SolverResult<T> r = firenet<T>(A, A.forward(x), s);
  const R err = R((r.solution - x).norm() / x.norm());
  INFO("relative error ", static_cast<double>(err), " with ", rows.size(), " rows");
  CHECK(err <= 1e4 * number_traits<R>::epsilon());
}

TEST_CASE("sparsity-in-levels weights are sqrt(s / s_k)") {
  const Vector<double> w = sparsity_in_levels_weights<double>({2, 5, 10}, {1, 2, 5});
  REQUIRE(w.size() == 10);
  CHECK(w(0) == doctest::Approx(std::sqrt(8.0)));
  CHECK(w(4) == doctest::Approx(2.0));
  CHECK(w(9) == doctest::Approx(std::sqrt(8.0 / 5)));
  CHECK_THROWS_AS(sparsity_in_levels_weights<double>({5, 3}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(sparsity_in_levels_weights<double>({5}, {0}), std::invalid_argument);
}

TEST_CASE_TEMPLATE("FIRENET: bad settings throw one clear sentence", T, double, std::complex<double>) {
  const SparseInstance<T> inst = sparse_instance<T>(3, 10, 20, 2, 0.0);
  DenseOperator<T> A(inst.A);
  FirenetSettings<T> s;
  s.restarts = 0;
  CHECK_THROWS_WITH_AS(firenet<T>(A, inst.y, s), doctest::Contains("restarts is 0"), std::invalid_argument);
  s = FirenetSettings<T>();
  s.inner = -1;
  CHECK_THROWS_WITH_AS(firenet<T>(A, inst.y, s), doctest::Contains("inner iterations is -1"), std::invalid_argument);
  s = FirenetSettings<T>();
  s.eps0 = -1.0;
  CHECK_THROWS_WITH_AS(firenet<T>(A, inst.y, s), doctest::Contains("eps0 is -1"), std::invalid_argument);
  s = FirenetSettings<T>();
  s.tau = 1;
  s.sigma = 1;
  s.norm_bound = 1;
  CHECK_THROWS_WITH_AS(firenet<T>(A, inst.y, s), doctest::Contains("tau * sigma * L^2 is 1"), std::invalid_argument);
  s = FirenetSettings<T>();
  s.delta = -0.5;
  CHECK_THROWS_WITH_AS(firenet<T>(A, inst.y, s), doctest::Contains("delta is -0.5"), std::invalid_argument);
  Vector<T> y = inst.y;
  y(0) = T(std::nan(""));
  CHECK_THROWS_WITH_AS(firenet<T>(A, y, FirenetSettings<T>()), doctest::Contains("NaN"), std::invalid_argument);
  CHECK_THROWS_AS(FirenetNetwork<T>(nullptr, FirenetSettings<T>()), std::invalid_argument);
}
