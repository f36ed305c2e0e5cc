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

namespace {
// Sylvester's Hadamard matrix of order n (a power of two) times 2^scale:
// orthogonal rows, so every singular value is exactly sqrt(n) 2^scale.
template <class T>
Matrix<T> hadamard(Eigen::Index n, int scale) {
  using R = real_of<T>;
  using std::ldexp;
  Matrix<T> H(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      H(i, j) = T(ldexp(R(__builtin_popcountll(static_cast<unsigned long long>(i & j)) % 2 ? -1 : 1), scale));
  return H;
}

// ||A||_2 of a real or complex double matrix by Jacobi SVD (of the real form
// [Re -Im; Im Re] for complex A, which has the same singular values): an
// independent, backward-stable algorithm, relative error about n u.
template <class T>
double svd_norm(const Matrix<T>& A) {
  if constexpr (number_traits<T>::is_complex) {
    const Eigen::Index m = A.rows(), n = A.cols();
    Matrix<double> Rf(2 * m, 2 * n);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < m; ++i) {
        const double re = static_cast<double>(A(i, j).real()), im = static_cast<double>(A(i, j).imag());
        Rf(i, j) = re;
        Rf(i, n + j) = -im;
        Rf(m + i, j) = im;
        Rf(m + i, n + j) = re;
      }
    return Eigen::JacobiSVD<Matrix<double>>(Rf).singularValues()(0);
  } else {
    return Eigen::JacobiSVD<Matrix<double>>(A.template cast<double>()).singularValues()(0);
  }
}
}  // namespace

// Issue 11's goal: the certified bound within 1% of ||A||_2 at the benchmark
// sizes (the old bound was 1.6x at 80 x 200). The data are doubles converted
// exactly to T, so the double SVD is the reference for every type; its
// relative error (about 300 u) is far inside the 1e-4 the bound sits above
// ||A||, so both checks are decided by the bound, not by the reference.
TEST_CASE_TEMPLATE("certified norm bound is within 1% of ||A|| on Gaussian matrices", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(41);
  for (auto [m, n] : {std::pair<Eigen::Index, Eigen::Index>{21, 22}, {80, 200}, {200, 80}}) {
    const Matrix<T> M = random_matrix<T>(g, m, n);
    const double sigma = svd_norm(M);
    const R bound = certified_norm_bound(M);
    CHECK(bound >= R(sigma));
    CHECK(bound <= R(1.01 * sigma));
    CHECK(gram_certified_norm_bound(M).has_value());
  }
}

// The largest benchmark size, in double: the reference is a power-iteration
// estimate, which is below ||A||, so bound <= 1.01 estimate is the stricter test.
TEST_CASE("certified norm bound is within 1% of ||A|| at 1000 x 4000") {
  Gaussian g(42);
  const Matrix<double> M = random_matrix<double>(g, 1000, 4000);
  const double bound = certified_norm_bound(M);
  const double est = power_iteration(DenseOperator<double>(M), 400, 1, 1e-9);
  CHECK(bound >= est);
  CHECK(bound <= 1.01 * est);
}

// Exactly known norms: Hadamard matrices (all singular values equal: the
// extreme cluster), at huge and tiny scales (subnormal entries for double),
// complex, stacked (rank-deficient) and a rank-one matrix with zero padding.
TEST_CASE_TEMPLATE("certified norm bound on exactly known norms and extreme scales", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  using std::ldexp;
  PrecisionGuard guard(mpfr_test_bits);
  const int max_exp = std::numeric_limits<double>::max_exponent;  // every type here reaches double's range
  for (int scale : {0, max_exp - 30, -max_exp + 10, -1060}) {
    const Matrix<T> H = hadamard<T>(64, scale);
    const R exact = ldexp(R(8), scale);
    CAPTURE(scale);
    CHECK(certified_norm_bound(H) >= exact);
    CHECK(certified_norm_bound(H) <= exact * R(1.001));
    CHECK(a_priori_norm_bound(H) >= exact);
    // Stacked twice: rank 64 in 128 x 64, norm sqrt(2) times larger.
    Matrix<T> S(128, 64);
    S << H, H;
    const R b = certified_norm_bound(S);
    CHECK(b * b >= 2 * exact * exact);
    CHECK(b <= exact * R(1.001 * 1.41422));
  }
  // Rank one: u v^T with ||u|| = 5, ||v|| = 3, inside 40 x 60 zeros.
  Matrix<T> U = Matrix<T>::Zero(40, 60);
  const double u[2] = {3, 4}, v[3] = {1, 2, 2};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) U(7 + 9 * i, 11 + 13 * j) = T(R(u[i] * v[j]));
  CHECK(certified_norm_bound(U) >= R(15));
  CHECK(certified_norm_bound(U) <= R(15 * 1.001));
  CHECK(certified_norm_bound(Matrix<T>(Matrix<T>::Zero(5, 3))) == 0);
  if constexpr (number_traits<T>::is_complex) {
    // i H has norm 8, (1 + i) H has norm 8 sqrt(2).
    const Matrix<T> H = hadamard<T>(64, 0);
    CHECK(certified_norm_bound(Matrix<T>(H * T(R(0), R(1)))) >= R(8));
    const R b = certified_norm_bound(Matrix<T>(H * T(R(1), R(1))));
    CHECK(b * b >= R(128));
    CHECK(b <= R(8 * 1.41422 * 1.001));
  }
}

// Two singular values 2^-20 apart at the top (H_64 and (1 - 2^-20) H_64 on
// the diagonal, mixed by a Gaussian block below): the cluster must neither
// break the certificate nor leave the bound under the exact norm 8.
TEST_CASE("certified norm bound with a tight cluster at the top") {
  Gaussian g(43);
  Matrix<double> A = Matrix<double>::Zero(128, 160);
  A.topLeftCorner(64, 64) = hadamard<double>(64, 0);
  A.block(64, 64, 64, 64) = hadamard<double>(64, 0) * (1 - 0x1p-20);
  const double b = certified_norm_bound(A);
  CHECK(b >= 8);
  CHECK(b <= 8 * 1.001);
}

// The old bound squared entries without scaling: 2^-600 squared underflows to
// 0, and the "certified" bound of this matrix came out as 0.
TEST_CASE("the cheap bound survives underflow and overflow of squares") {
  const Matrix<double> tiny = Matrix<double>::Constant(3, 3, 0x1p-600);
  CHECK(a_priori_norm_bound(tiny) >= 3 * 0x1p-600);
  const Matrix<double> huge = Matrix<double>::Constant(3, 3, 0x1p+1000);
  CHECK(a_priori_norm_bound(huge) >= 3 * 0x1p+1000);
  CHECK(a_priori_norm_bound(huge) <= 3 * 0x1p+1000 * (1 + 1e-12));
}

// The certificate is not vacuous: mu below lambda_max(G) must fail, mu above
// it must pass with a bound just above sqrt(mu). G = D + a rank-one bump with
// lambda_max = 50 exactly: D = diag(1..49, 50 - c), bump c e e^T on the last
// entry only would be diagonal; use an orthogonal mix instead: G = Q D Q^T
// with Q a scaled Hadamard (exact in double), so G is full.
TEST_CASE("Cholesky certificate accepts mu above lambda_max and rejects it below") {
  const Eigen::Index n = 64;
  const Matrix<double> Q = hadamard<double>(n, -3);  // orthogonal: (H/8)(H/8)^T = I
  Eigen::VectorXd d(n);
  for (Eigen::Index i = 0; i < n; ++i) d(i) = double(i + 1);  // lambda_max = 64
  const Matrix<double> G = Q * d.asDiagonal() * Q.transpose();  // exact: dyadic with few bits
  CHECK(G == G.transpose());
  CHECK_FALSE(detail::cholesky_norm_certificate(G, 64 * (1 - 1e-9), 0).has_value());
  CHECK_FALSE(detail::cholesky_norm_certificate(G, 63.5, 0).has_value());
  const auto b = detail::cholesky_norm_certificate(G, 64 * (1 + 1e-6), 0);
  REQUIRE(b.has_value());
  CHECK(*b >= 8);
  CHECK(*b <= std::sqrt(64 * (1 + 2e-6)));
  // A declared error in G raises the bound by about that much.
  const auto b2 = detail::cholesky_norm_certificate(G, 64 * (1 + 1e-6), 0.5);
  REQUIRE(b2.has_value());
  CHECK(*b2 >= std::sqrt(64.5));
}

// Parallel products: the same bits for 1 and 2 threads (blocks of rows or
// columns fixed by the size, each entry computed by one thread in one order).
TEST_CASE_TEMPLATE("dense products are bit-identical for 1 and 2 threads", T, BARRIERS_TEST_ALL_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(44);
  // Above the type's threshold (else one thread does everything), and more
  // than one block of 128 outputs each way.
  const Eigen::Index m = 300, n = std::max<Eigen::Index>(401, Eigen::Index(dense_parallel_threshold<T>() / 300) + 1);
  REQUIRE(double(m) * double(n) >= dense_parallel_threshold<T>());
  const DenseOperator<T> A(random_matrix<T>(g, m, n));
  const Vector<T> x = random_vector<T>(g, n), y = random_vector<T>(g, m);
  const unsigned saved = dense_operator_threads();
  set_dense_operator_threads(1);
  const Vector<T> ax1 = A.forward(x), aty1 = A.adjoint(y);
  set_dense_operator_threads(2);
  CHECK(dense_operator_threads() == 2);
  const Vector<T> ax2 = A.forward(x), aty2 = A.adjoint(y);
  set_dense_operator_threads(saved);
  CHECK(ax1 == ax2);
  CHECK(aty1 == aty2);
  // And they are the product: within rounding of Eigen's plain one.
  using R = real_of<T>;
  const R tol = 4 * R(n) * number_traits<R>::epsilon() * A.norm_bound() * R(x.norm());
  CHECK(R((ax1 - Vector<T>(A.matrix() * x)).norm()) <= tol);
  set_dense_operator_threads(0);
  CHECK(dense_operator_threads() == 1);
  set_dense_operator_threads(saved);
}

TEST_CASE_TEMPLATE("dense operator rejects bad matrices", T, double, std::complex<double>) {
  Matrix<T> bad = Matrix<T>::Ones(3, 3);
  bad(1, 2) = T(std::numeric_limits<double>::quiet_NaN());
  CHECK_THROWS_WITH_AS(DenseOperator<T>{bad}, doctest::Contains("NaN"), std::invalid_argument);
  CHECK_THROWS_AS(DenseOperator<T>(Matrix<T>(0, 3)), std::invalid_argument);
  DenseOperator<T> A(Matrix<T>::Ones(3, 4));
  CHECK_THROWS_AS(A.forward(Vector<T>::Ones(3)), std::invalid_argument);
}
