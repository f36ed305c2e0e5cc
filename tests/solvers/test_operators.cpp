#include <doctest/doctest.h>

#include <Eigen/QR>
#include <Eigen/SVD>

#include "barriers/solvers/composed_operator.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/gradient_1d.hpp"
#include "barriers/solvers/operator_norm.hpp"
#include "barriers/solvers/stacked_operator.hpp"
#include "barriers/solvers/subsampled_dft.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// |<A x, y> - <x, A^* y>| must be within rounding of the two inner products:
// each is a sum of about (m + N) products of size ||A|| ||x|| ||y||, so
// 4 (m + N) eps L ||x|| ||y|| is generous for rounding and far below the
// O(||x|| ||y||) error of a wrong adjoint.
template <class T>
void check_adjoint(const LinearOperator<T>& A, Gaussian& g, int trials = 3) {
  using R = real_of<T>;
  const R eps = number_traits<R>::epsilon();
  for (int t = 0; t < trials; ++t) {
    const Vector<T> x = random_vector<T>(g, A.cols());
    const Vector<T> y = random_vector<T>(g, A.rows());
    const T lhs = A.forward(x).dot(y);   // <A x, y> (Eigen conjugates the left factor)
    const T rhs = x.dot(A.adjoint(y));   // <x, A^* y>
    const R tol = 4 * R(A.rows() + A.cols()) * eps * A.norm_bound() * R(x.norm()) * R(y.norm());
    CHECK(modulus(T(lhs - rhs)) <= tol);
  }
}
}  // namespace

TEST_CASE_TEMPLATE("dense operator: adjoint identity and sizes", T, BARRIERS_TEST_ALL_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(11);
  DenseOperator<T> A(random_matrix<T>(g, 7, 12));
  CHECK(A.rows() == 7);
  CHECK(A.cols() == 12);
  check_adjoint(A, g);
}

TEST_CASE_TEMPLATE("1D gradient: forward differences and adjoint", T, BARRIERS_TEST_ALL_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(12);
  Gradient1D<T> D(9);
  CHECK(D.rows() == 8);
  Vector<T> x(3);
  x << T(1), T(4), T(9);
  const Vector<T> dx = Gradient1D<T>(3).forward(x);
  CHECK(dx(0) == T(3));
  CHECK(dx(1) == T(5));
  check_adjoint(D, g);
  // ||D||_2 = 2 cos(pi / 2N) < 2 = the bound.
  CHECK(power_iteration(D, 500) <= D.norm_bound());
}

TEST_CASE_TEMPLATE("subsampled DFT: unitary rows, adjoint, known transform", T, BARRIERS_TEST_COMPLEX_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R eps = number_traits<R>::epsilon();
  Gaussian g(13);
  const Eigen::Index N = 16;
  SubsampledDft<T> A(N, {0, 3, 5, 8, 15});
  check_adjoint(A, g);
  // Full sampling is unitary: A^* A x = x up to rounding.
  std::vector<Eigen::Index> all(N);
  for (Eigen::Index k = 0; k < N; ++k) all[k] = k;
  SubsampledDft<T> F(N, all);
  const Vector<T> x = random_vector<T>(g, N);
  CHECK(R((F.adjoint(F.forward(x)) - x).norm()) <= 8 * R(N) * eps * R(x.norm()));
  // The transform of e_0 is the constant 1/sqrt(N); of e_1 at row k, w^k / sqrt(N).
  Vector<T> e1 = Vector<T>::Zero(N);
  e1(1) = T(1);
  const Vector<T> f1 = A.forward(e1);
  using std::cos;
  using std::sin;
  using std::acos;
  const R angle = 2 * acos(R(-1)) * 3 / R(N);
  CHECK(modulus(T(f1(1) - T(cos(angle) / 4, -sin(angle) / 4))) <= 8 * eps);
  CHECK(power_iteration(A, 200) <= A.norm_bound());
  CHECK_THROWS_AS(SubsampledDft<T>(N, {3, 3}), std::invalid_argument);
  CHECK_THROWS_AS(SubsampledDft<T>(N, {16}), std::invalid_argument);
}

TEST_CASE_TEMPLATE("composition and stacking: adjoints and norm bounds", T, BARRIERS_TEST_ALL_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(14);
  auto A = std::make_shared<DenseOperator<T>>(random_matrix<T>(g, 6, 10));
  auto D = std::make_shared<Gradient1D<T>>(10);
  auto C = std::make_shared<DenseOperator<T>>(random_matrix<T>(g, 5, 9));
  ComposedOperator<T> CD(C, D);  // 5 x 10
  CHECK(CD.rows() == 5);
  CHECK(CD.cols() == 10);
  check_adjoint(CD, g);
  StackedOperator<T> K({A, D});  // 15 x 10
  CHECK(K.rows() == 15);
  check_adjoint(K, g);
  CHECK(power_iteration(K, 300) <= K.norm_bound());
  CHECK(power_iteration(CD, 300) <= CD.norm_bound());
  CHECK_THROWS_AS(ComposedOperator<T>(A, C), std::invalid_argument);
  CHECK_THROWS_AS(StackedOperator<T>({A, C}), std::invalid_argument);
}

TEST_CASE_TEMPLATE("certified dense norm bound is above the power estimate", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(15);
  const Matrix<T> M = random_matrix<T>(g, 20, 35);
  const R bound = certified_norm_bound(M);
  const R est = power_iteration(DenseOperator<T>(M), 400);
  CHECK(est <= bound);
  CHECK(est > 0);
}

TEST_CASE("certified bound holds against the SVD, and power iteration converges to it") {
  Gaussian g(16);
  for (int trial = 0; trial < 20; ++trial) {
    const Matrix<double> M = random_matrix<double>(g, 4 + trial, 30 - trial);
    const double s_max = Eigen::JacobiSVD<Matrix<double>>(M).singularValues()(0);
    CHECK(certified_norm_bound(M) >= s_max);
    CHECK(power_iteration(DenseOperator<double>(M), 2000) == doctest::Approx(s_max).epsilon(1e-6));
  }
  // A rank-one matrix: sqrt(||A||_1 ||A||_inf) and ||A||_F are both exact, so
  // the bound exceeds the true norm only by the rounding margin.
  Matrix<double> R1 = Matrix<double>::Ones(5, 7);
  const double exact = std::sqrt(35.0);
  const double b = certified_norm_bound(R1);
  CHECK(b >= exact);
  CHECK(b <= exact * (1 + 50 * std::numeric_limits<double>::epsilon()));
}

// An orthogonal matrix: G = Q Q^T = I + E with |E_jk| <= 32 eps, so the
// Gershgorin row sums are at most 1 + 30 * 32 eps and the rounding slack
// (d + 2) eps ||Q||_1 ||Q||_inf <= 32 eps * 30; the bound is within 1e-12 of 1,
// where sqrt(||Q||_1 ||Q||_inf) and ||Q||_F are about 4.4 and 5.5.
TEST_CASE("certified bound is tight for orthogonal matrices (Gram-matrix Gershgorin)") {
  Gaussian g(17);
  const Matrix<double> M = random_matrix<double>(g, 30, 30);
  const Matrix<double> Q = Eigen::HouseholderQR<Matrix<double>>(M).householderQ();
  const double b = certified_norm_bound(Q);
  CHECK(b >= 1);
  CHECK(b <= 1 + 1e-12);
  // Wide: 30 x 60 with orthonormal rows, ||Q2|| = 1.
  Matrix<double> Q2(30, 60);
  Q2 << Q, Matrix<double>::Zero(30, 30);
  CHECK(certified_norm_bound(Q2) <= 1 + 1e-12);
}

TEST_CASE_TEMPLATE("dense operator rejects bad matrices", T, double, std::complex<double>) {
  Matrix<T> bad = Matrix<T>::Ones(3, 3);
  bad(1, 2) = T(std::numeric_limits<double>::quiet_NaN());
  CHECK_THROWS_WITH_AS(DenseOperator<T>{bad}, doctest::Contains("NaN"), std::invalid_argument);
  CHECK_THROWS_AS(DenseOperator<T>(Matrix<T>(0, 3)), std::invalid_argument);
  DenseOperator<T> A(Matrix<T>::Ones(3, 4));
  CHECK_THROWS_AS(A.forward(Vector<T>::Ones(3)), std::invalid_argument);
}
