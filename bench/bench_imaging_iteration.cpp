// Cost of one FIRENET inner iteration on an image-scale compressed-sensing
// problem in double, against the transforms it is made of, measured in the
// same run.
//
// Problem, for n x n images (n = 64, 128, 256, 512): A = P_Omega F W^*, F the
// unitary 2-D FFT (FFTW), W the 4-level db4 wavelet transform, Omega 25% of
// the frequencies from the DAS-style multilevel pattern (5 levels, square
// radius), y = A x for x the wavelet coefficients of the Shepp-Logan
// phantom, and FIRENET's sparsity-in-levels weights from x (the fewest
// coefficients holding 99.9% of each level's energy). FIRENET runs with the
// norm bound passed in and no observer, `restarts` x `inner` iterations per
// call; the figure is the call's time divided by its iteration count (the
// per-call set-up, e.g. the final objective, one more product, included).
//
// Printed per size, in microseconds: the raw transforms (F, F^*, W, W^* once
// each: what one iteration cannot avoid), A x + A^* z, one FIRENET
// iteration, the ratios iteration / transforms and iteration / products
// (issue 9's goal at 256 x 256: iteration <= 1.5 x transforms), and the
// iteration per N log2 N (N = n^2), flat for O(N log N) growth.
//
// Times are CPU time of the process, each the minimum over `repeats`
// interleaved measurements of at least `chunk_seconds` (and at least one
// FIRENET call): load from other processes only ever adds time, so the
// minimum is the least disturbed figure.
//
// Usage: bench_imaging_iteration [chunk_seconds] [repeats] [n]   (defaults 0.05,
// 15 and all four sizes; one n, e.g. to profile that size alone)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "bench_timing.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/level_weights.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/sampled_transform.hpp"
#include "barriers/solvers/imaging/sampling_pattern.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"

using namespace barriers;
using barriers::bench::per_unit;

namespace {

void measure(Eigen::Index n, double min_seconds, int repeats) {
  using C = std::complex<double>;
  const ImageShape s{n, n};
  const Eigen::Index N = s.size();
  auto F = std::make_shared<const FourierTransform<C>>(s);
  auto W = std::make_shared<const WaveletTransform<C>>(s, 4, 4);
  const SamplingPattern omega =
      das_pattern(s, SpectrumLayout::fourier, RadiusMetric::square, 5, samples_for_rate(0.25, N), 7);
  const SampledTransform<C> A(F, W, omega.indices);

  const Matrix<double> image = shepp_logan<double>(s);
  const Vector<C> pixels = Eigen::Map<const Vector<double>>(image.data(), N).cast<C>();
  const Vector<C> x = W->forward(pixels);
  const Vector<C> y = A.forward(x);

  FirenetSettings<C> fs;
  fs.lambda = 1e-3;
  fs.weights = level_weights<double>(W->level_starts(), local_sparsities_energy<C>(x, W->level_starts(), 0.999));
  fs.norm_bound = A.norm_bound();
  fs.restarts = 2;
  fs.inner = 25;

  Vector<C> f_out(N), w_out(N), ax, atz;
  const Vector<C> z = y;
  double transforms = 1e300, products = 1e300, iteration = 1e300;
  for (int r = 0; r < repeats; ++r) {
    transforms = std::min(transforms, per_unit(
                                          [&] {
                                            F->apply(pixels, f_out);
                                            F->apply_adjoint(f_out, w_out);
                                            W->apply(pixels, f_out);
                                            W->apply_adjoint(f_out, w_out);
                                            return 1L;
                                          },
                                          min_seconds));
    products = std::min(products, per_unit(
                                      [&] {
                                        A.apply(x, ax);
                                        A.apply_adjoint(z, atz);
                                        return 1L;
                                      },
                                      min_seconds));
    iteration = std::min(iteration, per_unit([&] { return firenet<C>(A, y, fs).iterations; }, min_seconds));
  }
  const double nlogn = double(N) * std::log2(double(N));
  std::printf("%5ld %12.1f %12.1f %12.1f %8.2f %8.2f %10.2f\n", long(n), 1e6 * transforms, 1e6 * products,
              1e6 * iteration, iteration / transforms, iteration / products, 1e9 * iteration / nlogn);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.05;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 15;
  std::printf("double, Fourier + db4 (4 levels), 25%% DAS sampling; CPU us per unit, minimum of %d runs of >= %.3f s\n",
              repeats, min_seconds);
  std::printf("%5s %12s %12s %12s %8s %8s %10s\n", "n", "2 FFT+2 DWT", "A x + A^*z", "FIRENET it", "it/tr",
              "it/prod", "ns/NlogN");
  const long only = argc > 3 ? std::atol(argv[3]) : 0;
  for (Eigen::Index n : {64, 128, 256, 512})
    if (only == 0 || only == n) measure(n, min_seconds, repeats);
  std::printf("it/tr: one iteration / (F, F^*, W, W^* alone); goal at 256: <= 1.5\n");
  return 0;
}
