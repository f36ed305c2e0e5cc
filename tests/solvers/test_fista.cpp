#include <doctest/doctest.h>

#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/fista.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// Optimality for (P2): g = 2 A^*(y - A x) must lie in lambda * subdiff ||x||_1,
// i.e. g_i = lambda x_i / |x_i| where x_i != 0 and |g_i| <= lambda where x_i = 0.
// Returns the largest violation.
template <class T>
real_of<T> kkt_violation(const LinearOperator<T>& A, const Vector<T>& y, const Vector<T>& x,
                         const real_of<T>& lambda) {
  using R = real_of<T>;
  const Vector<T> g = A.adjoint(Vector<T>(y - A.forward(x))) * R(2);
  R worst(0);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const R v = x(i) == T(0) ? R(modulus(g(i)) - lambda) : R(modulus(T(g(i) - lambda * (x(i) / modulus(x(i))))));
    if (v > worst) worst = v;
  }
  return worst;
}
}  // namespace

TEST_CASE_TEMPLATE("FISTA beats ISTA after the same number of steps", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const SparseInstance<T> inst = sparse_instance<T>(31, 25, 50, 3, 1e-2);
  DenseOperator<T> A(inst.A);
  FistaSettings<T> s;
  s.lambda = R(0.05);
  s.max_iterations = 300;
  const SolverResult<T> f = fista<T>(A, inst.y, s);
  const SolverResult<T> i = ista<T>(A, inst.y, s);
  CHECK(f.iterations == 300);
  CHECK(f.reason == TerminationReason::max_iterations);
  CHECK(f.feasibility_gap == R(0));
  CHECK(f.objective < i.objective);
}

// The KKT check needs the iteration run to the rounding floor, which takes
// 5k-15k steps: done for the types where that is cheap (MPFR would take
// minutes; the MPFR LASSO path is covered by the test above and by PDHG).
TEST_CASE_TEMPLATE("FISTA and ISTA solve the LASSO: KKT conditions at the precision's level", T, double,
                   long double, float128, std::complex<double>, std::complex<long double>) {
  using R = real_of<T>;
  const SparseInstance<T> inst = sparse_instance<T>(31, 25, 50, 3, 1e-2);
  DenseOperator<T> A(inst.A);
  FistaSettings<T> s;
  s.lambda = R(0.05);
  s.max_iterations = 400;
  const SolverResult<T> f = fista<T>(A, inst.y, s);
  const SolverResult<T> i = ista<T>(A, inst.y, s);
  s.max_iterations = 20000;
  s.tolerance = 4 * number_traits<R>::epsilon();
  const SolverResult<T> best = fista<T>(A, inst.y, s);
  const R eps = number_traits<R>::epsilon();
  INFO("type ", describe_type<T>(), " reference iterations ", best.iterations);
  CHECK(best.reason == TerminationReason::tolerance_reached);
  // A prox-gradient step that moves x by d leaves a KKT residual of at most
  // about 2 L^2 d (L^2 ~ 5 here) plus rounding: 1e5 eps covers 4 eps ||x|| moves.
  CHECK(kkt_violation<T>(A, inst.y, best.solution, s.lambda) <= 1e5 * eps);
  const R fstar = best.objective;
  CHECK(f.objective >= fstar * (1 - 64 * eps));
  CHECK(i.objective >= fstar * (1 - 64 * eps));
  // O(1/k^2) against O(1/k): after 400 steps FISTA is much closer.
  CHECK(f.objective - fstar < (i.objective - fstar) / 10);
}

TEST_CASE_TEMPLATE("PDHG (P2) agrees with FISTA", T, double, std::complex<long double>) {
  using R = real_of<T>;
  const SparseInstance<T> inst = sparse_instance<T>(32, 20, 40, 3, 1e-2);
  DenseOperator<T> A(inst.A);
  FistaSettings<T> fs;
  fs.lambda = R(0.05);
  fs.max_iterations = 20000;
  fs.tolerance = 4 * number_traits<R>::epsilon();
  const SolverResult<T> f = fista<T>(A, inst.y, fs);
  PdhgSettings<T> ps;
  ps.problem = SparseProblem::p2_lasso;
  ps.lambda = fs.lambda;
  ps.max_iterations = 20000;
  ps.ergodic = false;
  const SolverResult<T> p = primal_dual<T>(A, inst.y, ps);
  CHECK(R((p.solution - f.solution).norm()) <= R(1e-8) * R(f.solution.norm()));
}

TEST_CASE("FISTA: bad settings throw") {
  const SparseInstance<double> inst = sparse_instance<double>(33, 10, 20, 2, 0.0);
  DenseOperator<double> A(inst.A);
  FistaSettings<double> s;
  s.lambda = -1;
  CHECK_THROWS_WITH_AS(fista<double>(A, inst.y, s), doctest::Contains("lambda is -1"), std::invalid_argument);
  s.lambda = 1;
  s.max_iterations = 0;
  CHECK_THROWS_WITH_AS(ista<double>(A, inst.y, s), doctest::Contains("max_iterations is 0"), std::invalid_argument);
}

// Data at the edge of double's range: the gradient 2 A^T (A x - y) of the
// first step sums two entries of -1e308 and overflows to -Inf. The solver
// must say so and return the last finite iterate (x_0 = 0), not Inf/NaN.
TEST_CASE("FISTA and ISTA stop with non_finite when the gradient overflows") {
  Matrix<double> M = Matrix<double>::Ones(2, 2);
  const Vector<double> y = Vector<double>::Constant(2, 1e308);
  DenseOperator<double> A(M);
  FistaSettings<double> s;
  s.lambda = 1;
  s.max_iterations = 50;
  for (const SolverResult<double>& r : {fista<double>(A, y, s), ista<double>(A, y, s)}) {
    CHECK(r.reason == TerminationReason::non_finite);
    CHECK(r.iterations == 0);
    CHECK(r.solution.allFinite());
    CHECK(r.solution.isZero());
  }
  CHECK(to_string(TerminationReason::non_finite) == "non-finite");
}

// observe_every = k calls the observer on iterations k, 2k, ... only (the
// objective it gets costs an extra product with A), and must be >= 1.
TEST_CASE("FISTA and PDHG: the observer interval") {
  const SparseInstance<double> inst = sparse_instance<double>(31, 25, 50, 3, 1e-2);
  DenseOperator<double> A(inst.A);
  std::vector<long> seen;
  FistaSettings<double> s;
  s.lambda = 0.05;
  s.max_iterations = 100;
  s.observe_every = 30;
  s.observer = [&](const IterationInfo<double>& info) {
    seen.push_back(info.iteration);
    return true;
  };
  const SolverResult<double> full = fista<double>(A, inst.y, s);
  CHECK(seen == std::vector<long>{30, 60, 90});
  s.observer = nullptr;
  CHECK(fista<double>(A, inst.y, s).solution == full.solution);  // observing changes nothing
  s.observe_every = 0;
  CHECK_THROWS_AS(fista<double>(A, inst.y, s), std::invalid_argument);
  PdhgSettings<double> p;
  p.max_iterations = 10;
  p.observe_every = 4;
  seen.clear();
  p.observer = [&](const IterationInfo<double>& info) {
    seen.push_back(info.iteration);
    return true;
  };
  primal_dual<double>(A, inst.y, p);
  CHECK(seen == std::vector<long>{4, 8});
}
