// Daubechies filters and the periodic wavelet transform: Haar by hand, db2
// against its closed form, filter identities at the working precision, and
// perfect reconstruction / orthogonality at 256 bits.
#include <doctest/doctest.h>

#include "barriers/solvers/imaging/wavelet.hpp"
#include "barriers/solvers/imaging/wavelet_filter.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// |r_0 - 1| + 2 sum_m |r_2m| for the stored filter, rounded up: how far one
// exact-arithmetic level with it is from orthogonal (wavelet.hpp: W_h^T W_h
// has eigenvalues sum_m r_2m e^{-2imw}).
template <class R>
R orthogonality_defect(const Vector<R>& h) {
  using std::abs;
  const Eigen::Index L = h.size();
  R defect(0), h2(0);
  for (Eigen::Index k = 0; k < L; ++k) h2 += h(k) * h(k);
  for (Eigen::Index n = 0; n < L; n += 2) {
    R r(0);
    for (Eigen::Index k = 0; k + n < L; ++k) r += h(k) * h(k + n);
    defect += n == 0 ? abs(r - 1) : 2 * abs(r);
  }
  const R u = number_traits<R>::epsilon() / 2;
  return (defect + R(L + 2) * R(L) * u * h2) * (1 + 4 * R(L) * u);
}
}  // namespace

TEST_CASE_TEMPLATE("Haar by hand, 1-D and 2-D", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  using std::sqrt;
  PrecisionGuard guard(mpfr_test_bits);
  const R s = 1 / sqrt(R(2));
  const R u = unit_roundoff<T>();
  {
    const WaveletTransform<T> W(ImageShape{4, 1}, 1, 2);
    Vector<T> x(4), want(4);
    x << T(1), T(2), T(3), T(4);
    want << T(5), T(-2), T(-s), T(-s);
    // Two levels of sums of two products each: a few ulps.
    CHECK(R((W.forward(x) - want).norm()) <= 16 * u * R(want.norm()));
    CHECK(W.level_starts() == std::vector<Eigen::Index>{0, 1, 2, 4});
  }
  {
    // [[1, 2], [3, 4]] stored column-major; order: approximation, then
    // (high, low), (low, high), (high, high).
    const WaveletTransform<T> W(ImageShape{2, 2}, 1, 1);
    Vector<T> x(4), want(4);
    x << T(1), T(3), T(2), T(4);
    want << T(5), T(-2), T(-1), T(0);
    CHECK(R((W.forward(x) - want).norm()) <= 16 * u * R(want.norm()));
    CHECK(W.level_starts() == std::vector<Eigen::Index>{0, 1, 4});
  }
}

TEST_CASE_TEMPLATE("one 2-D level equals T X T^T with the periodic filter matrix", T, double, std::complex<double>,
                   std::complex<mpfr_real>) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(963);
  // 8 x 8 with db2 (L = 4 <= 8) and 4 x 4 with db3 (L = 6 > 4: the filter
  // wraps around): T = [H; G], H_jm = sum over k = m - 2j mod n of h_k.
  for (int moments : {2, 3}) {
    const Eigen::Index n = moments == 2 ? 8 : 4;
    const WaveletTransform<T> W(ImageShape{n, n}, moments, 1);
    const Vector<R>& h = W.filter();
    const Eigen::Index L = h.size();
    Matrix<T> Tm = Matrix<T>::Zero(n, n);
    for (Eigen::Index j = 0; j < n / 2; ++j)
      for (Eigen::Index k = 0; k < L; ++k) {
        const Eigen::Index m = (2 * j + k) % n;
        Tm(j, m) += T(h(k));
        Tm(n / 2 + j, m) += T((k % 2 ? -1 : 1) * h(L - 1 - k));
      }
    const Matrix<T> X = random_matrix<T>(g, n, n);
    const Matrix<T> Y = Tm * X * Tm.transpose();
    const Eigen::Index q = n / 2;
    Vector<T> want(n * n);
    want << Y.block(0, 0, q, q).reshaped(), Y.block(q, 0, q, q).reshaped(), Y.block(0, q, q, q).reshaped(),
        Y.block(q, q, q, q).reshaped();
    const Vector<T> got = W.forward(X.reshaped());
    // Both are the same sums up to order: within twice the rounding bound
    // (plus the dense products' own rounding, of the same size).
    CHECK(R((got - want).norm()) <= 4 * W.rounding_bound() * R(X.norm()));
    CHECK(R((W.adjoint(want) - Vector<T>((Tm.transpose() * Y * Tm).reshaped())).norm()) <=
          4 * W.rounding_bound() * R(X.norm()));
  }
}

TEST_CASE_TEMPLATE("db2 matches its closed form", R, BARRIERS_TEST_REAL_TYPES) {
  using std::abs;
  using std::sqrt;
  PrecisionGuard guard(256);
  const Vector<R> h = daubechies_filter<R>(2);
  REQUIRE(h.size() == 4);
  const R r3 = sqrt(R(3)), d = 4 * sqrt(R(2));
  const R want[4] = {(1 + r3) / d, (3 + r3) / d, (3 - r3) / d, (1 - r3) / d};
  // h is the correctly rounded filter (u relative); the closed form as
  // evaluated here is within 4u relative (sqrt, sqrt, +, /).
  const R u = number_traits<R>::epsilon() / 2;
  for (int k = 0; k < 4; ++k) CHECK(abs(h(k) - want[k]) <= 6 * u * abs(want[k]));
  const Vector<R> haar = daubechies_filter<R>(1);
  for (int k = 0; k < 2; ++k) CHECK(abs(haar(k) - 1 / sqrt(R(2))) <= 4 * u);
}

TEST_CASE_TEMPLATE("Daubechies filters: sum, orthonormality and vanishing moments at the working precision", R,
                   BARRIERS_TEST_REAL_TYPES) {
  using std::abs;
  using std::sqrt;
  PrecisionGuard guard(256);
  const R u = number_traits<R>::epsilon() / 2;
  for (int N : {1, 2, 3, 4, 5, 6, 7, 8, 12, 20}) {
    CAPTURE(N);
    const Vector<R> h = daubechies_filter<R>(N);
    const Eigen::Index L = 2 * N;
    REQUIRE(h.size() == L);
    // Each stored h_k is within u |h_k| of the true filter, whose identities
    // hold exactly; evaluating a length-L sum adds gamma_L. So each identity
    // holds to (L + 2) u times the sum of the moduli of its terms, doubled
    // for slack in the gamma and the evaluation of the tolerance.
    R sum(0), abs_sum(0);
    for (Eigen::Index k = 0; k < L; ++k) {
      sum += h(k);
      abs_sum += abs(h(k));
    }
    CHECK(abs(sum - sqrt(R(2))) <= 2 * R(L + 2) * u * abs_sum);
    CHECK(orthogonality_defect(h) <= 8 * R(L + 2) * R(L) * u);
    for (int m = 0; m < N; ++m) {
      R moment(0), scale(0);
      for (Eigen::Index k = 0; k < L; ++k) {
        const R km = pow(R(k), m);
        moment += (k % 2 ? -1 : 1) * km * h(k);
        scale += km * abs(h(k));
      }
      CAPTURE(m);
      CHECK(abs(moment) <= 2 * R(L + 2) * u * scale);
    }
    // The N-th moment does not vanish (the filter has exactly N moments).
    R moment(0);
    for (Eigen::Index k = 0; k < L; ++k) moment += (k % 2 ? -1 : 1) * pow(R(k), N) * h(k);
    CHECK(abs(moment) > R(1e-3));
  }
}

TEST_CASE("perfect reconstruction and orthogonality at 256 bits") {
  using T = mpfr_real;
  PrecisionGuard guard(256);
  Gaussian g(961);
  const T u = unit_roundoff<T>();
  struct Case {
    ImageShape shape;
    int moments, levels;
  };
  for (const Case& c : {Case{{64, 1}, 8, 3}, Case{{32, 16}, 4, 3}, Case{{16, 16}, 1, 4}, Case{{8, 8}, 6, 2}}) {
    CAPTURE(c.moments);
    const WaveletTransform<T> W(c.shape, c.moments, c.levels);
    const Vector<T> x = random_vector<T>(g, c.shape.size());
    const Vector<T> w = W.forward(x);
    const T delta = W.rounding_bound();
    const int P = c.shape.is_1d() ? c.levels : 2 * c.levels;
    // ||W_s^* W_s x - x|| <= 2 delta (1 + delta) ||x|| + ||W_h^T W_h - I|| ||x||,
    // the last <= (1 + kappa)^P - 1 <= 2 P kappa with kappa the per-level defect.
    const T kappa = orthogonality_defect(W.filter());
    const T tol = (2 * delta * (1 + delta) + 2 * T(P) * kappa) * T(x.norm());
    const T err = (W.adjoint(w) - x).norm();
    CHECK(err <= tol);
    CHECK(tol <= ldexp(T(1), -240) * T(x.norm()));  // the bound is at the working precision
    // | ||W_s x|| - ||x|| | <= (delta + P kappa) ||x|| plus the norms' rounding.
    CHECK(abs(T(w.norm()) - T(x.norm())) <= (delta + 2 * T(P) * kappa + 4 * T(x.size()) * u) * T(x.norm()));
    CHECK(W.norm_bound() >= 1);
    CHECK(W.norm_bound() <= 1 + ldexp(T(1), -240));
  }
}

TEST_CASE_TEMPLATE("wavelet adjoint identity, level ranges and complex data", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(962);
  const WaveletTransform<T> W1(ImageShape{64, 1}, 4, 3);
  CHECK(W1.level_starts() == std::vector<Eigen::Index>{0, 8, 16, 32, 64});
  check_adjoint_identity(W1, W1.rounding_bound(), g);
  const WaveletTransform<T> W2(ImageShape{32, 16}, 3, 2);
  CHECK(W2.level_starts() == std::vector<Eigen::Index>{0, 32, 128, 512});
  check_adjoint_identity(W2, W2.rounding_bound(), g);
  // A constant image has no details (vanishing moment 0): only the
  // approximation range is nonzero, up to rounding (at most the rounding
  // bound) and the stored filter's deviation (|sum g_k| <= u ||h||_1 per
  // coefficient, far below the rounding bound).
  const Vector<T> c = Vector<T>::Constant(512, T(3));
  const Vector<T> wc = W2.forward(c);
  CHECK(R(wc.tail(512 - 32).norm()) <= 4 * W2.rounding_bound() * R(c.norm()));
  // W is real: on complex data it transforms real and imaginary parts apart.
  if constexpr (number_traits<T>::is_complex) {
    const WaveletTransform<R> Wr(ImageShape{32, 16}, 3, 2);
    const Vector<T> z = random_vector<T>(g, 512);
    const Vector<T> wz = W2.forward(z);
    const Vector<R> re = Wr.forward(Vector<R>(z.real())), im = Wr.forward(Vector<R>(z.imag()));
    // Equal up to rounding (FMA contraction may differ between the two).
    const R tol = 2 * W2.rounding_bound() * R(z.norm());
    CHECK(R((Vector<R>(wz.real()) - re).norm()) <= tol);
    CHECK(R((Vector<R>(wz.imag()) - im).norm()) <= tol);
  }
}

TEST_CASE("wavelet input errors") {
  CHECK(wavelet_moments("haar") == 1);
  CHECK(wavelet_moments("db4") == 4);
  CHECK(wavelet_moments("db20") == 20);
  for (const char* bad : {"db0", "db21", "db", "db04", "sym4", "DB4", "db4x"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(wavelet_moments(bad), std::invalid_argument);
  }
  CHECK_THROWS_AS(daubechies_filter<double>(0), std::invalid_argument);
  CHECK_THROWS_AS(WaveletTransform<double>(ImageShape{24, 1}, 2, 4), std::invalid_argument);
  CHECK_THROWS_AS(WaveletTransform<double>(ImageShape{32, 12}, 2, 3), std::invalid_argument);
  CHECK_THROWS_AS(WaveletTransform<double>(ImageShape{32, 1}, 2, 0), std::invalid_argument);
  const WaveletTransform<double> W(ImageShape{16, 1}, 2, 2);
  CHECK_THROWS_AS(W.forward(Vector<double>::Zero(8)), std::invalid_argument);
}
