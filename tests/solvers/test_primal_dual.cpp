#include <doctest/doctest.h>

#include <cmath>

#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "barriers/solvers/prox.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

// (P3) family of THEORY.md section 4 (K digits, n = 10): the unique
// minimiser e_j / a_j. The two candidate solutions e_1/a_1 and e_2/a_2 differ
// in objective by only lambda eps / a^2 (relative 10^-K 2^-(n+1) / a), which
// makes the problem badly conditioned for first-order methods: the iterates
// must drift along an almost flat direction at a speed proportional to the
// primal step. With the last iterate and a primal weight tau/sigma of order
// 10^(2K+2) (capped at 10^9: at 10^12 the dual no longer settles, measured) the drift is fast enough (measured), and the error then falls to
// the rounding floor, which grows like 10^K eps (the conditioning of the
// minimiser in the data), hence the tolerance 10^(K+3) eps.
namespace {
template <class T>
void check_p3_family(int K, long max_iterations) {
  using R = real_of<T>;
  const R eps = number_traits<R>::epsilon();
  for (int j : {1, 2}) {
    const P3Family<R> f = p3_family<R>(K, 10, j);
    DenseOperator<T> A(f.A.template cast<T>());
    PdhgSettings<T> s;
    s.problem = SparseProblem::p3_sqrt_lasso;
    s.lambda = f.lambda;
    s.ergodic = false;
    using std::pow;
    using std::sqrt;
    const R ratio = pow(R(10), std::min(2 * K + 2, 9));
    const R L = A.norm_bound();
    s.tau = R(0.99) * sqrt(ratio) / L;
    s.sigma = R(0.99) / (sqrt(ratio) * L);
    s.max_iterations = max_iterations;
    s.tolerance = eps;
    const SolverResult<T> r = primal_dual<T>(A, f.y.template cast<T>(), s);
    const R err = R((r.solution - f.minimiser.template cast<T>()).norm() / f.minimiser.norm());
    INFO("K = ", K, ", j = ", j, ", type ", describe_type<T>(), ", iterations ", r.iterations,
         ", relative error ", double(err));
    CHECK(err <= pow(R(10), K + 3) * eps);
    // The closed-form optimum is never beaten (up to rounding of the objective),
    // and the objective is Lipschitz with constant ||A|| + lambda sqrt(N).
    CHECK(r.objective >= f.optimal_value * (1 - 64 * eps));
    const R dist = R((r.solution - f.minimiser.template cast<T>()).norm());
    CHECK(r.objective - f.optimal_value <= (L + f.lambda * sqrt(R(f.A.cols()))) * dist + 64 * eps * f.optimal_value);
  }
}
}  // namespace

TEST_CASE_TEMPLATE("PDHG (P3) reaches e_j/a_j on the K = 1 family", T, BARRIERS_TEST_REAL_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  check_p3_family<T>(1, 20000);
}

// K = 3 takes about 17k steps: MPFR left out for time (measured: it reaches
// a relative error of 1e-44 at 161 bits).
TEST_CASE_TEMPLATE("PDHG (P3) reaches e_j/a_j on the K = 3 family", T, double, long double, float128) {
  check_p3_family<T>(3, 60000);
}

TEST_CASE_TEMPLATE("PDHG (P3) reaches e_j/a_j on the K = 6 family", T, double, long double) {
  check_p3_family<T>(6, 400000);
}

TEST_CASE_TEMPLATE("PDHG (P1): feasible, and no worse than the true sparse vector", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const SparseInstance<T> inst = sparse_instance<T>(7, 20, 40, 2, 1e-2);
  DenseOperator<T> A(inst.A);
  PdhgSettings<T> s;
  s.problem = SparseProblem::p1_basis_pursuit;
  s.eta = R(1e-2);  // the true x is feasible: ||A x - y|| = noise
  s.max_iterations = 3000;
  s.ergodic = false;
  const SolverResult<T> r = primal_dual<T>(A, inst.y, s);
  CHECK(r.iterations == 3000);
  CHECK(r.reason == TerminationReason::max_iterations);
  CHECK(r.feasibility_gap <= R(0.2) * s.eta);  // measured 1.1e-3 after 3000 steps: PDHG approaches the constraint slowly
  CHECK(r.objective <= weighted_l1_norm<T>(inst.x, Vector<R>()) * R(1.001));
  CHECK(R((r.solution - inst.x).norm()) <= R(0.1) * R(inst.x.norm()));
}

TEST_CASE_TEMPLATE("PDHG: observer sees every iteration, errors and can stop the run", T, double,
                   std::complex<mpfr_real>) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const SparseInstance<T> inst = sparse_instance<T>(8, 20, 40, 2, 0.0);
  DenseOperator<T> A(inst.A);
  PdhgSettings<T> s;
  s.problem = SparseProblem::p2_lasso;
  s.lambda = R(0.01);
  s.reference = inst.x;
  long calls = 0;
  s.observer = [&](const IterationInfo<R>& info) {
    ++calls;
    CHECK(info.iteration == calls);
    CHECK(info.error.has_value());
    CHECK(info.elapsed_seconds >= 0);
    return info.iteration < 17;
  };
  const SolverResult<T> r = primal_dual<T>(A, inst.y, s);
  CHECK(calls == 17);
  CHECK(r.iterations == 17);
  CHECK(r.reason == TerminationReason::observer_stopped);
}

TEST_CASE_TEMPLATE("PDHG: bad input throws one clear sentence", T, double, std::complex<double>) {
  const SparseInstance<T> inst = sparse_instance<T>(9, 10, 20, 2, 0.0);
  DenseOperator<T> A(inst.A);
  PdhgSettings<T> s;
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, Vector<T>::Ones(9), s), doctest::Contains("must match"),
                       std::invalid_argument);
  Vector<T> y = inst.y;
  y(3) = T(std::numeric_limits<double>::infinity());
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, y, s), doctest::Contains("NaN or infinite"), std::invalid_argument);
  s.lambda = 0;
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, inst.y, s), doctest::Contains("lambda is 0"), std::invalid_argument);
  s.lambda = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, inst.y, s), doctest::Contains("lambda"), std::invalid_argument);
  s.lambda = 1;
  s.tau = s.sigma = 1;
  s.norm_bound = 2;
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, inst.y, s), doctest::Contains("tau * sigma * L^2 is 4"),
                       std::invalid_argument);
  s = PdhgSettings<T>();
  s.problem = SparseProblem::p1_basis_pursuit;
  s.eta = -1;
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, inst.y, s), doctest::Contains("eta is -1"), std::invalid_argument);
  s = PdhgSettings<T>();
  s.weights = Vector<double>::Ones(5);
  CHECK_THROWS_WITH_AS(primal_dual<T>(A, inst.y, s), doctest::Contains("5 weights"), std::invalid_argument);
  try {
    s.weights = Vector<double>::Ones(20);
    s.weights(4) = -2;
    primal_dual<T>(A, inst.y, s);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    CHECK(msg.find('\n') == std::string::npos);  // one line, for the CLI
    CHECK(msg.find("weight 4 is -2") != std::string::npos);
  }
}

// LASSO data at the edge of double's range: PDHG's dual variable grows like
// sigma y, and A^T z sums two such entries; once that overflows the solver
// must stop with non_finite and keep its last finite output.
TEST_CASE("PDHG stops with non_finite when an iterate overflows") {
  Matrix<double> M = Matrix<double>::Ones(2, 2);
  const Vector<double> y = Vector<double>::Constant(2, 1.7e308);
  DenseOperator<double> A(M);
  PdhgSettings<double> s;
  s.problem = SparseProblem::p2_lasso;
  s.lambda = 1;
  s.max_iterations = 100;
  const SolverResult<double> r = primal_dual<double>(A, y, s);
  CHECK(r.reason == TerminationReason::non_finite);
  CHECK(r.iterations < 100);
  CHECK(r.solution.allFinite());
}
