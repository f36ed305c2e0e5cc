// The unitary FFT (generic and FFTW) against a direct DFT computed in MPFR at
// more than twice the working precision, with tolerances from the proven
// error bounds of generic_fft.hpp / fft.hpp.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "barriers/solvers/imaging/fft.hpp"
#include "gmp_allocation_counter.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {

using C = std::complex<mpfr_real>;

// The exact unitary 2-D DFT of the (exactly widened) image, evaluated
// directly at the precision in force.
Vector<C> direct_dft(ImageShape s, const Vector<C>& x, bool inverse) {
  const std::vector<C> wr = unit_roots<mpfr_real>(s.rows), wc = unit_roots<mpfr_real>(s.cols);
  Vector<C> out(s.size());
  for (Eigen::Index k1 = 0; k1 < s.rows; ++k1)
    for (Eigen::Index k2 = 0; k2 < s.cols; ++k2) {
      C acc(0);
      for (Eigen::Index j1 = 0; j1 < s.rows; ++j1)
        for (Eigen::Index j2 = 0; j2 < s.cols; ++j2) {
          C w = wr[(j1 * k1) % s.rows] * wc[(j2 * k2) % s.cols];
          if (inverse) w = std::conj(w);
          acc += w * x(j1 + s.rows * j2);
        }
      out(k1 + s.rows * k2) = acc / sqrt(mpfr_real(s.size()));
    }
  return out;
}

// max over both directions of ||F_stored x - F x|| / ||x|| for one random x,
// as a double (the ratio is compared with the bound in the same precision).
template <class T>
void check_against_direct(ImageShape s, FftBackend backend, Gaussian& g) {
  using R = real_of<T>;
  const FourierTransform<T> F(s, backend);
  const R delta = F.norm_bound() - 1;  // the forward error bound (fft.hpp)
  const unsigned wide_bits = 2 * number_traits<R>::precision_bits() + 64;
  for (bool inverse : {false, true}) {
    const Vector<T> x = random_vector<T>(g, s.size());
    const Vector<T> y = inverse ? F.adjoint(x) : F.forward(x);
    const auto xe = exact_values(x), ye = exact_values(y);
    const rational delta_q = to_rational(delta);
    PrecisionGuard wide(wide_bits);
    const Vector<C> ref = direct_dft(s, widen(xe), inverse);
    const mpfr_real err = (widen(ye) - ref).norm(), xn = widen(xe).norm();
    // The reference's own error is O(N 2^-wide_bits), far below delta.
    CHECK(err <= from_rational<mpfr_real>(delta_q).value * xn);
    // Not vacuous: the bound is within a few hundred times the error seen
    // (the observed error is of order u sqrt(log N), the bound of order u log N).
    if (s.size() > 4) CHECK(err > 0);
  }
}

}  // namespace

TEST_CASE_TEMPLATE("generic FFT matches the direct DFT within its proven bound", T, BARRIERS_TEST_COMPLEX_TYPES) {
  PrecisionGuard guard(256);
  Gaussian g(901);
  for (Eigen::Index n : {1, 2, 3, 7, 12, 97, 128, 255}) {
    CAPTURE(n);
    check_against_direct<T>({n, 1}, FftBackend::generic, g);
  }
  for (ImageShape s : {ImageShape{12, 7}, ImageShape{8, 16}, ImageShape{1, 5}}) {
    CAPTURE(s.rows);
    CAPTURE(s.cols);
    check_against_direct<T>(s, FftBackend::generic, g);
  }
}

TEST_CASE_TEMPLATE("FFTW matches the direct DFT and the generic FFT", T, std::complex<double>,
                   std::complex<long double>, std::complex<float128>) {
  using R = real_of<T>;
  Gaussian g(902);
  for (ImageShape s : {ImageShape{1, 1}, ImageShape{7, 1}, ImageShape{97, 1}, ImageShape{128, 1},
                       ImageShape{255, 1}, ImageShape{12, 7}, ImageShape{32, 16}}) {
    CAPTURE(s.rows);
    CAPTURE(s.cols);
    const FourierTransform<T> fast(s), slow(s, FftBackend::generic);
    CHECK(fast.uses_fftw());
    CHECK(!slow.uses_fftw());
    check_against_direct<T>(s, FftBackend::automatic, g);
    // Both are within their bounds of the exact transform, hence of each other.
    const Vector<T> x = random_vector<T>(g, s.size());
    const R tol = (fast.norm_bound() - 1 + slow.norm_bound() - 1) * R(x.norm());
    CHECK(R((fast.forward(x) - slow.forward(x)).norm()) <= tol);
    CHECK(R((fast.adjoint(x) - slow.adjoint(x)).norm()) <= tol);
  }
}

TEST_CASE_TEMPLATE("the FFT is unitary and its adjoint is its inverse", T, BARRIERS_TEST_COMPLEX_TYPES) {
  using R = real_of<T>;
  using std::abs;
  using std::ldexp;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(903);
  for (ImageShape s : {ImageShape{64, 1}, ImageShape{45, 1}, ImageShape{16, 12}}) {
    for (FftBackend b : {FftBackend::automatic, FftBackend::generic}) {
      const FourierTransform<T> F(s, b);
      const R delta = F.norm_bound() - 1;
      // The exact operator is unitary: the bound exceeds 1 by rounding only,
      // O(u log N): 2.02 sum_i sqrt(p_i) (10 + 1.5 (p_i - 1)) u per side by
      // generic_fft.hpp, 4 times that for FFTW; under 1000 u for these
      // shapes, so below 4096 u = 2^(12 - p) for a p-bit significand.
      CHECK(delta > 0);
      CHECK(delta <= ldexp(R(1), 12 - int(number_traits<R>::precision_bits())));
      const Vector<T> x = random_vector<T>(g, s.size());
      const Vector<T> y = F.forward(x);
      // | ||F_s x|| - ||x|| | <= delta ||x|| plus the two norms' rounding
      // (<= (N + 2) u each, relative).
      const R u = unit_roundoff<T>();
      const R nrm_tol = (delta + 2 * R(s.size() + 2) * u) * R(x.norm());
      CHECK(abs(R(y.norm()) - R(x.norm())) <= nrm_tol);
      // ||F_s^* F_s x - x|| <= delta (2 + delta) ||x||.
      CHECK(R((F.adjoint(y) - x).norm()) <= delta * (2 + delta) * R(x.norm()) * (1 + 4 * u));
      check_adjoint_identity(F, delta, g);
      // Aliased input and output give the same answer.
      Vector<T> z = x;
      F.apply(z, z);
      CHECK(z == y);
    }
  }
}

TEST_CASE("the FFT refuses empty shapes and wrong input lengths") {
  CHECK_THROWS_AS(FourierTransform<std::complex<double>>(ImageShape{0, 4}), std::invalid_argument);
  const FourierTransform<std::complex<double>> F(ImageShape{4, 4});
  CHECK_THROWS_AS(F.forward(Vector<std::complex<double>>::Zero(15)), std::invalid_argument);
}

TEST_CASE("FFTW plans are made safely from several threads at once") {
  // FFTW's planner is not thread-safe; fft.cpp plans under a lock. Four
  // threads plan the same new shapes at the same time and check the result:
  // the DFT of a constant image is sqrt(N) at frequency 0 (within delta).
  using T = std::complex<double>;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&good] {
      for (Eigen::Index n : {33, 40, 51, 64}) {
        const FourierTransform<T> F(ImageShape{n, 3});
        const Vector<T> y = F.forward(Vector<T>::Ones(F.cols()));
        const double root_n = std::sqrt(double(F.cols()));
        const double err = (y - root_n * Vector<T>::Unit(F.cols(), 0)).norm();
        if (F.uses_fftw() && err <= (F.norm_bound() - 1) * root_n) ++good;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(good == 16);
}

// Issue 10: the generic FFT in MPFR, radix 2 and mixed radix, works on its
// kept buffers and the numbers' own limbs: once warm it creates no MPFR
// number.
TEST_CASE("the generic FFT in MPFR creates no number once warm") {
  PrecisionGuard guard(96);
  Gaussian g(5);
  for (const ImageShape s : {ImageShape{16, 16}, ImageShape{12, 10}, ImageShape{9, 1}}) {
    CAPTURE(s.rows);
    CAPTURE(s.cols);
    const FourierTransform<C> F(s);
    const Vector<C> x = random_vector<C>(g, s.size());
    Vector<C> out, back;
    F.apply(x, out);  // buffers sized
    F.apply_adjoint(out, back);
    {
      GmpAllocationCounter counter;
      F.apply(x, out);
      F.apply_adjoint(out, back);
      CHECK(counter.count() == 0);
    }
    check_against_direct<C>(s, FftBackend::generic, g);  // and still within the proven bound
  }
}
