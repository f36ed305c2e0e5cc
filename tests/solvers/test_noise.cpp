// Seeded Gaussian noise: the relative level holds to the working precision
// in every type, the same seed gives the same noise, and the samples look
// standard normal.
#include <doctest/doctest.h>

#include <cmath>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "gmp_allocation_counter.hpp"

using namespace barriers;

namespace {
template <class T>
void check_relative_level(Eigen::Index n) {
  using R = real_of<T>;
  using std::abs, std::sqrt;
  Vector<T> y = gaussian_vector<T>(n, 1);
  y *= T(R(3) / 7);
  const R level = R(2) / 100;
  const Vector<T> e = relative_noise<T>(y, level, 5);
  const R ratio = sqrt(R(e.squaredNorm())) / (level * sqrt(R(y.squaredNorm())));
  // Three norms of length n (each squared sum off by gamma_n relatively, the
  // square root halves it) and about six further roundings, plus the
  // product with the scale per entry: |ratio - 1| <= (3/2 (n + 2) + 8) u.
  const R u = number_traits<R>::epsilon() / 2;
  CHECK(abs(ratio - 1) <= (R(3) / 2 * R(n + 2) + 8) * u);
  CHECK(relative_noise<T>(y, level, 5) == e);  // reproducible
  CHECK(relative_noise<T>(y, level, 6) != e);
  CHECK(relative_noise<T>(Vector<T>::Zero(n), level, 5).squaredNorm() == 0);
  CHECK(relative_noise<T>(y, R(0), 5).squaredNorm() == 0);
}
}  // namespace

TEST_CASE("relative noise: ||e|| = level ||y|| to the working precision") {
  check_relative_level<double>(1000);
  check_relative_level<std::complex<double>>(1000);
  check_relative_level<long double>(300);
  check_relative_level<std::complex<float128>>(100);
  PrecisionGuard guard(256);
  check_relative_level<mpfr_real>(100);
  check_relative_level<std::complex<mpfr_real>>(50);
}

TEST_CASE("relative noise: bad levels are refused") {
  const Vector<double> y = Vector<double>::Ones(4);
  CHECK_THROWS_AS(relative_noise<double>(y, -0.1, 1), std::invalid_argument);
  CHECK_THROWS_AS(relative_noise<double>(y, std::nan(""), 1), std::invalid_argument);
  CHECK_THROWS_AS(relative_noise<double>(y, INFINITY, 1), std::invalid_argument);
  CHECK_THROWS_AS(relative_noise<double>(Vector<double>(), 0.1, 1), std::invalid_argument);
}

TEST_CASE("Gaussian samples: moments of N(0, 1), complex parts N(0, 1/2)") {
  const Eigen::Index n = 40000;
  const Vector<double> g = gaussian_vector<double>(n, 9);
  const double mean = g.mean(), var = (g.array() - mean).square().sum() / double(n - 1);
  // Five standard errors: sd(mean) = 1/sqrt(n), sd(variance) = sqrt(2/n).
  CHECK(std::abs(mean) < 5 / std::sqrt(double(n)));
  CHECK(std::abs(var - 1) < 5 * std::sqrt(2.0 / double(n)));
  CHECK(std::abs(double((g.array().abs() < 1).count()) / double(n) - 0.682689492) < 5 * 0.4654 / std::sqrt(double(n)));
  const Vector<std::complex<double>> z = gaussian_vector<std::complex<double>>(n, 9);
  const double re2 = z.real().squaredNorm() / double(n), im2 = z.imag().squaredNorm() / double(n);
  // E re^2 = 1/2 with sd sqrt(2) / 2 / sqrt(n).
  CHECK(std::abs(re2 - 0.5) < 5 * std::sqrt(0.5 / double(n)));
  CHECK(std::abs(im2 - 0.5) < 5 * std::sqrt(0.5 / double(n)));
}

TEST_CASE("Gaussian samples: the same seed gives the same normals in double and MPFR") {
  const Vector<double> d = gaussian_vector<double>(1000, 4);
  PrecisionGuard guard(200);
  const Vector<mpfr_real> m = gaussian_vector<mpfr_real>(1000, 4);
  // The double uniforms are the MPFR ones truncated to 53 bits (an absolute
  // change below 2^-53); Box-Muller turns it into a change of about
  // 2^-53 (1 / r + 2 pi r) in each normal (r = sqrt(-2 log u1) > 0.01 for all
  // but a 1e-4 fraction of draws), plus double's own rounding: 1e-12 bounds
  // it with room.
  double worst = 0;
  for (Eigen::Index k = 0; k < 1000; ++k) worst = std::max(worst, std::abs(d(k) - static_cast<double>(m(k))));
  CHECK(worst < 1e-12);
}

// add_relative_noise_into (the training's noise augmentation) is y +
// relative_noise(y, level, seed) bit for bit, in every type and for MPFR at
// several precisions (above 256 bits a uniform takes more than four raw
// outputs), odd and even lengths, zero level and zero y; for MPFR, real
// and complex, it creates no number of its own once warm.
TEST_CASE_TEMPLATE("noise added in place equals y + relative_noise, and creates no MPFR number of its own", T, double,
                   std::complex<double>, float128, mpfr_real, std::complex<mpfr_real>) {
  using R = real_of<T>;
  for (unsigned bits : {64u, 128u, 300u}) {
    PrecisionGuard guard(bits);
    for (Eigen::Index n : {1, 7, 40}) {
      CAPTURE(bits);
      CAPTURE(n);
      const Vector<T> y = gaussian_vector<T>(n, 11);
      Vector<T> out;
      for (const R level : {R(0), R(1) / 50, R(3)}) {
        add_relative_noise_into<T>(y, level, 17 + n, out);
        CHECK(out == Vector<T>(y + relative_noise<T>(y, level, 17 + n)));
      }
      const Vector<T> zero = Vector<T>::Zero(n);
      add_relative_noise_into<T>(zero, R(1), 3, out);
      CHECK(out == Vector<T>(zero + relative_noise<T>(zero, R(1), 3)));
      if constexpr (std::is_same_v<R, mpfr_real>) {
        // It makes no number of its own: what is left are the working numbers
        // MPFR's log and sin_cos make inside (about 4.6 per real entry
        // measured); y + relative_noise makes about five times as many.
        add_relative_noise_into<T>(y, R(1) / 50, 99, out);
        const long in_place = test::gmp_allocations_of([&] { add_relative_noise_into<T>(y, R(1) / 50, 100, out); });
        const long generic = test::gmp_allocations_of([&] { out = y + relative_noise<T>(y, R(1) / 50, 100); });
        MESSAGE("numbers made: in place " << in_place << ", y + relative_noise " << generic);
        CHECK(2 * in_place < generic);
      }
    }
    if (!std::is_same_v<R, mpfr_real>) break;  // the precision matters for MPFR only
  }
  Vector<T> out;
  CHECK_THROWS_AS(add_relative_noise_into<T>(Vector<T>(), R(1), 1, out), std::invalid_argument);
  CHECK_THROWS_AS(add_relative_noise_into<T>(Vector<T>::Ones(3), R(-1), 1, out), std::invalid_argument);
}
