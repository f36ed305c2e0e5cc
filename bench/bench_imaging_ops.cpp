// Cost of one application of the imaging operators, against baselines
// measured in the same run.
//
// Part 1, double, images n x n for n = 64, 128, 256, 512: milliseconds per
// apply of the unitary 2-D FFT (FFTW and the generic FFT), the
// sequency-ordered Walsh-Hadamard transform, the 4-level db4 wavelet
// transform and A = P_Omega F W^* (25% of the frequencies), each divided by
// the cost of copying the image (the cheapest thing an operator can do) and
// by n^2 log2 n^2 (flat columns mean O(N log N) growth).
// Part 2, MPFR at 256 bits, 64 x 64: the generic FFT and the db4 wavelet
// transform against the same count of mpfr_fma calls measured alone (the
// FFT counted as 2 N log2 N real multiply-adds, 4 per complex butterfly;
// the wavelet as 2 L per complex coefficient per pass, L the filter length).
//
// Usage: bench_imaging_ops [min_seconds]   (default 0.3)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/sampled_transform.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"

using namespace barriers;

namespace {
// Seconds per call of f, repeated until min_seconds have passed.
double seconds_per_call(const std::function<void()>& f, double min_seconds) {
  using clock = std::chrono::steady_clock;
  f();  // warm-up (plans, caches)
  long calls = 0;
  const auto start = clock::now();
  double elapsed = 0;
  do {
    f();
    ++calls;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < min_seconds);
  return elapsed / double(calls);
}

template <class T>
Vector<T> test_image(Eigen::Index N) {
  Vector<T> x(N);
  for (Eigen::Index k = 0; k < N; ++k) x(k) = T(std::sin(0.37 * double(k)) + 0.1 * double(k % 7));
  return x;
}
}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
  using C = std::complex<double>;
  std::printf("double, n x n images: ms per apply (ratio to a copy of the image) [ns / (N log2 N)]\n");
  std::printf("%5s %10s %18s %18s %18s %18s %18s\n", "n", "copy", "FFTW", "generic FFT", "Walsh", "db4 x4",
              "P F W^*");
  for (Eigen::Index n : {64, 128, 256, 512}) {
    const ImageShape s{n, n};
    const Eigen::Index N = s.size();
    const Vector<C> x = test_image<C>(N);
    Vector<C> out(N), copy(N);
    const FourierTransform<C> fftw(s), generic(s, FftBackend::generic);
    const WalshHadamard<C> walsh(s);
    auto W = std::make_shared<const WaveletTransform<C>>(s, 4, 4);
    auto F = std::make_shared<const FourierTransform<C>>(s);
    std::vector<Eigen::Index> omega;
    for (Eigen::Index k = 0; k < N; k += 4) omega.push_back(k);
    const SampledTransform<C> A(F, W, omega);
    Vector<C> sampled;
    const double t_copy = seconds_per_call([&] { copy = x; }, min_seconds);
    const double t[5] = {
        seconds_per_call([&] { fftw.apply(x, out); }, min_seconds),
        seconds_per_call([&] { generic.apply(x, out); }, min_seconds),
        seconds_per_call([&] { walsh.apply(x, out); }, min_seconds),
        seconds_per_call([&] { W->apply(x, out); }, min_seconds),
        seconds_per_call([&] { A.apply(x, sampled); }, min_seconds),
    };
    const double nlogn = double(N) * std::log2(double(N));
    std::printf("%5ld %10.4f", long(n), 1e3 * t_copy);
    for (double ti : t) std::printf("  %7.3f (%5.0fx) [%4.1f]", 1e3 * ti, ti / t_copy, 1e9 * ti / nlogn);
    std::printf("\n");
  }

  {
    PrecisionGuard guard(256);
    using M = std::complex<mpfr_real>;
    const ImageShape s{64, 64};
    const Eigen::Index N = s.size();
    const Vector<M> x = test_image<M>(N);
    Vector<M> out;
    const FourierTransform<M> F(s);
    const WaveletTransform<M> W(s, 4, 4);
    // mpfr_fma on preallocated values: the floor a multiply-add can cost.
    mpfr_real a(1.0000001), b(0.9999999), acc(0);
    const double t_fma = seconds_per_call(
        [&] {
          for (int i = 0; i < 1000; ++i)
            mpfr_fma(acc.backend().data(), a.backend().data(), b.backend().data(), acc.backend().data(), MPFR_RNDN);
        },
        min_seconds) / 1000;
    // Complex data: a butterfly is 4 real multiply-adds, (n/2) log2 n of them
    // per line, 2n lines: 2 N log2 N. The wavelet: 2L per complex output per
    // pass (L = 8 for db4), two passes over (N / 4^l) values at level l.
    const double fft_fmas = 2 * double(N) * std::log2(double(N));
    double wavelet_fmas = 0;
    for (int l = 0; l < 4; ++l) wavelet_fmas += 2 * 2 * 8 * double(N >> (2 * l));
    const double t_fft = seconds_per_call([&] { F.apply(x, out); }, min_seconds);
    const double t_dwt = seconds_per_call([&] { W.apply(x, out); }, min_seconds);
    std::printf("\nmpfr 256 bits, complex 64 x 64: one mpfr_fma %.1f ns\n", 1e9 * t_fma);
    std::printf("  generic FFT  %8.2f ms = %5.1fx the cost of its %.0f real mpfr_fma calls\n", 1e3 * t_fft,
                t_fft / (fft_fmas * t_fma), fft_fmas);
    std::printf("  db4 x4 DWT   %8.2f ms = %5.1fx the cost of its %.0f real mpfr_fma calls\n", 1e3 * t_dwt,
                t_dwt / (wavelet_fmas * t_fma), wavelet_fmas);
  }
  return 0;
}
