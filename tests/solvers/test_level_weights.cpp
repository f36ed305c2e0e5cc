// Sparsity in levels: local sparsities worked out by hand, the weights
// w_k = sqrt(s / s_k) over the wavelet level ranges, and the shape of the
// local sparsities of a real image's wavelet coefficients.
#include <doctest/doctest.h>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/level_weights.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"

using namespace barriers;

namespace {
template <class T>
Vector<T> example() {
  Vector<T> x(10);
  x << T(3), T(0), T(4), T(3), T(0), T(0), T(1), T(-1), T(1), T(1);
  return x;
}
const std::vector<Eigen::Index> starts = {0, 2, 6, 10};

template <class R>
void check_weights() {
  using std::abs;
  // Level energies 9 | 16 + 9 | 4 ones: 90% needs 1 | 2 | 4 coefficients.
  const std::vector<long> s = local_sparsities_energy<R>(example<R>(), starts, R(9) / 10);
  CHECK(s == std::vector<long>{1, 2, 4});
  const Vector<R> w = level_weights<R>(starts, s);
  REQUIRE(w.size() == 10);
  const R u = number_traits<R>::epsilon() / 2;
  const long expect_sk[] = {1, 1, 2, 2, 2, 2, 4, 4, 4, 4};
  // w^2 s_k = s = 7 up to the rounding of a quotient and a square root (and of the check).
  for (int i = 0; i < 10; ++i) CHECK(abs(w(i) * w(i) * R(expect_sk[i]) - 7) <= 7 * 8 * u);
}
}  // namespace

TEST_CASE("local sparsities and weights: a hand example in every type") {
  check_weights<double>();
  check_weights<long double>();
  check_weights<float128>();
  PrecisionGuard guard(256);
  check_weights<mpfr_real>();
}

TEST_CASE("local sparsities: fraction 1, largest-s, complex values, empty levels") {
  const Vector<double> x = example<double>();
  CHECK(local_sparsities_energy<double>(x, starts, 1.0) == std::vector<long>{1, 2, 4});
  // The three largest: 4 (index 2), then the 3s at indices 0 and 3 (ties by index): levels 1, 0, 1.
  CHECK(local_sparsities_largest<double>(x, starts, 3) == std::vector<long>{1, 2, 1});
  CHECK(local_sparsities_largest<double>(x, starts, 2) == std::vector<long>{1, 1, 1});  // level 2 empty -> 1
  Vector<std::complex<double>> z = x.cast<std::complex<double>>();
  z(2) = std::complex<double>(0, 4);
  z(3) = std::complex<double>(1.8, 2.4);  // |z| = 3
  CHECK(local_sparsities_energy<std::complex<double>>(z, starts, 0.9) == std::vector<long>{1, 2, 4});
  const Vector<double> zero = Vector<double>::Zero(10);
  CHECK(local_sparsities_energy<double>(zero, starts, 0.5) == std::vector<long>{1, 1, 1});
}

TEST_CASE("local sparsities: bad arguments") {
  const Vector<double> x = example<double>();
  CHECK_THROWS_AS(local_sparsities_energy<double>(x, {1, 10}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(local_sparsities_energy<double>(x, {0, 5, 5, 10}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(local_sparsities_energy<double>(x, {0, 9}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(local_sparsities_energy<double>(x, starts, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(local_sparsities_energy<double>(x, starts, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(local_sparsities_largest<double>(x, starts, 0), std::invalid_argument);
  CHECK_THROWS_AS(local_sparsities_largest<double>(x, starts, 11), std::invalid_argument);
  CHECK_THROWS_AS(level_weights<double>(starts, {1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(level_weights<double>(starts, {1, 0, 2}), std::invalid_argument);
}

TEST_CASE("sparsity in levels of a phantom's Haar coefficients") {
  const ImageShape s{128, 128};
  const Matrix<double> img = shepp_logan<double>(s);
  const WaveletTransform<double> W(s, 1, 4);
  const Vector<double> c = W.forward(Eigen::Map<const Vector<double>>(img.data(), img.size()));
  const std::vector<Eigen::Index>& st = W.level_starts();
  const std::vector<long> sk = local_sparsities_energy<double>(c, st, 0.999);
  REQUIRE(sk.size() == st.size() - 1);
  // Asymptotic sparsity: the coarse levels are dense, the finest sparse.
  const auto ratio = [&](std::size_t k) { return double(sk[k]) / double(st[k + 1] - st[k]); };
  CHECK(ratio(0) > 0.5);
  CHECK(ratio(sk.size() - 1) < 0.2);
  CHECK(ratio(sk.size() - 1) < ratio(1));
  const Vector<double> w = level_weights<double>(st, sk);
  CHECK(w.size() == s.size());
  long total = 0;
  for (long v : sk) total += v;
  for (std::size_t k = 0; k + 1 < st.size(); ++k)
    CHECK(w(st[k]) == doctest::Approx(std::sqrt(double(total) / double(sk[k]))).epsilon(1e-15));
}
