// The sequency-ordered Walsh-Hadamard transform against the explicit
// Sylvester-Hadamard matrix, with the ordering checked by counting sign
// changes of the operator's own rows.
#include <doctest/doctest.h>

#include <bit>

#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// The operator's matrix, column j = W e_j.
template <class T>
Matrix<T> matrix_of(const LinearOperator<T>& A) {
  Matrix<T> M(A.rows(), A.cols());
  for (Eigen::Index j = 0; j < A.cols(); ++j) M.col(j) = A.forward(Vector<T>::Unit(A.cols(), j));
  return M;
}
}  // namespace

TEST_CASE("Walsh rows in sequency order: row k has exactly k sign changes") {
  for (Eigen::Index n : {1, 2, 4, 8, 16, 32, 64}) {
    const WalshHadamard<double> W(ImageShape{n, 1});
    const Matrix<double> M = matrix_of(W);
    for (Eigen::Index k = 0; k < n; ++k) {
      int changes = 0;
      for (Eigen::Index j = 0; j + 1 < n; ++j) changes += (M(k, j) > 0) != (M(k, j + 1) > 0);
      CAPTURE(n);
      CAPTURE(k);
      CHECK(changes == k);
    }
  }
}

TEST_CASE_TEMPLATE("Walsh-Hadamard equals the permuted Sylvester matrix", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  using std::sqrt;
  PrecisionGuard guard(mpfr_test_bits);
  // 16 = 4^2 and 4 x 16: the scaling 1/sqrt(N) is a power of two, so every
  // entry is exactly +-2^-k and the transform of a unit vector is exact.
  for (ImageShape s : {ImageShape{16, 1}, ImageShape{4, 16}}) {
    const WalshHadamard<T> W(s);
    const Matrix<T> M = matrix_of(W);
    const int mr = std::countr_zero(std::uint64_t(s.rows)), mc = std::countr_zero(std::uint64_t(s.cols));
    const R entry = 1 / sqrt(R(s.size()));
    for (Eigen::Index k2 = 0; k2 < s.cols; ++k2)
      for (Eigen::Index k1 = 0; k1 < s.rows; ++k1)
        for (Eigen::Index j2 = 0; j2 < s.cols; ++j2)
          for (Eigen::Index j1 = 0; j1 < s.rows; ++j1) {
            // Kronecker product of the two Walsh matrices, Sylvester entries.
            const Eigen::Index a = sequency_to_hadamard(k1, mr) & j1, b = sequency_to_hadamard(k2, mc) & j2;
            const int sign = (std::popcount(std::uint64_t(a)) + std::popcount(std::uint64_t(b))) % 2 ? -1 : 1;
            CHECK(M(k1 + s.rows * k2, j1 + s.rows * j2) == T(R(sign) * entry));
          }
  }
}

TEST_CASE_TEMPLATE("Walsh-Hadamard is orthogonal within its bound, adjoint = inverse", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(951);
  for (ImageShape s : {ImageShape{128, 1}, ImageShape{32, 8}, ImageShape{1, 1}}) {
    const WalshHadamard<T> W(s);
    const R delta = W.norm_bound() - 1;  // forward error bound, walsh_hadamard.hpp
    CHECK(delta > 0);
    CHECK(delta <= 32 * unit_roundoff<T>());
    const Vector<T> x = random_vector<T>(g, s.size());
    // ||W_s^* W_s x - x|| <= delta (2 + delta) ||x|| (W exactly orthogonal).
    CHECK(R((W.adjoint(W.forward(x)) - x).norm()) <= delta * (2 + delta) * R(x.norm()) * (1 + 4 * unit_roundoff<T>()));
    check_adjoint_identity(W, delta, g);
  }
}

TEST_CASE("Walsh-Hadamard refuses sides that are not powers of two") {
  CHECK_THROWS_AS(WalshHadamard<double>(ImageShape{12, 1}), std::invalid_argument);
  CHECK_THROWS_AS(WalshHadamard<double>(ImageShape{16, 6}), std::invalid_argument);
  CHECK_THROWS_AS(WalshHadamard<double>(ImageShape{0, 1}), std::invalid_argument);
  const WalshHadamard<double> W(ImageShape{8, 1});
  CHECK_THROWS_AS(W.forward(Vector<double>::Zero(7)), std::invalid_argument);
  CHECK_THROWS_AS(W.adjoint(Vector<double>::Zero(9)), std::invalid_argument);
}
