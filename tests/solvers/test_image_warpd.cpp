#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>

#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/gradient_2d.hpp"
#include "barriers/solvers/imaging/image_warpd.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/sampling_pattern.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"
#include "sanitize_profile.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {

using C = std::complex<double>;

// An image problem y = P_Omega F u + e (Fourier, power-law density pattern).
template <class T>
struct ImageCase {
  ImageShape shape;
  Vector<T> u, y;
  real_of<T> eta;
  OperatorPtr<T> A;
};

template <class T>
ImageCase<T> image_case(ImageShape shape, const Vector<T>& u, double rate, double noise, std::uint64_t seed) {
  using R = real_of<T>;
  ImageCase<T> c;
  c.shape = shape;
  c.u = u;
  const auto pattern = power_law_pattern(shape, SpectrumLayout::fourier, samples_for_rate(rate, shape.size()), seed);
  auto F = std::make_shared<FourierTransform<T>>(shape);
  c.A = sampled_image_operator<T>(F, pattern.indices, R(F->norm_bound() - 1));
  const Vector<T> clean = c.A->forward(u);
  const Vector<T> e = relative_noise<T>(clean, R(noise), seed + 1);
  c.y = clean + e;
  c.eta = R(e.norm());
  return c;
}

Vector<C> phantom(ImageShape shape) {
  const Matrix<double> img = shepp_logan<double>(shape);
  return Eigen::Map<const Vector<double>>(img.data(), shape.size()).cast<C>();
}

// Two overlapping constant blocks on an n x n zero background (n a multiple
// of 16; the 16 x 16 layout scaled): a sparse gradient.
template <class T>
Vector<T> blocks(int n) {
  using R = real_of<T>;
  const int f = n / 16;
  Vector<T> u = Vector<T>::Zero(n * n);
  for (int j = 4 * f; j < 10 * f; ++j)
    for (int i = 3 * f; i < 11 * f; ++i) u(i + n * j) = T(R(1));
  for (int j = 9 * f; j < 13 * f; ++j)
    for (int i = 8 * f; i < 14 * f; ++i) u(i + n * j) += T(R(1) / 2);
  return u;
}

double rel(const Vector<C>& a, const Vector<C>& b) { return (a - b).norm() / b.norm(); }

}  // namespace

// Denoising (every frequency sampled, so A = F is unitary): the TV-constrained
// solution min TV(u) s.t. ||F u - y|| <= ||e|| of a piecewise-constant image
// lies much closer to it than the data do (the noise is spread over all
// pixels; TV removes most of it). 32 x 32 (at 16 x 16 the gain was measured
// at only 1.8x: few pixels per edge).
TEST_CASE("TV denoising of a piecewise-constant image recovers it") {
  const ImageShape shape{32, 32};
  const ImageCase<C> c = image_case<C>(shape, blocks<C>(32), 1.0, 0.1, 5);
  WarpdSettings<C> s;
  s.eps = c.eta;
  s.C1 = 1;
  s.C2 = 10;
  s.restarts = 30;
  s.inner = 50;
  const SolverResult<C> r = image_warpd<C>(*c.A, c.y, shape, ImageRegularisation<C>(), s);
  const double noisy = rel(c.A->adjoint(c.y), c.u), got = rel(r.solution, c.u);
  MESSAGE("denoising: data error ", noisy, ", TV error ", got);
  CHECK(got <= 0.5 * noisy);
  CHECK(r.feasibility_gap <= 1e-8 * c.eta);
}

// The published example (THEORY.md section 7) at 64 x 64: Shepp-Logan, 15%
// power-law Fourier samples, 5% noise, TV. WARPd (10 restarts x 100) against
// the non-restarted primal-dual iteration with the same 1000 steps, both
// measured against the TV minimiser u* (WARPd run to 40 restarts, where its
// restart errors have stopped changing) and against the truth. At this size
// 15% of the samples do not determine the phantom well: the minimiser itself
// is 0.38 from it (measured), so the truth error only separates the two
// slightly; the distance to u* is what restarting buys.
TEST_CASE("image WARPd (TV): restarted beats the non-restarted baseline on the phantom example") {
  const ImageShape shape{64, 64};
  const ImageCase<C> c = image_case<C>(shape, phantom(shape), 0.15, 0.05, 1);
  WarpdSettings<C> s;
  s.eps = c.eta;
  s.C1 = 1;
  s.C2 = 10;
  s.inner = 100;
  s.restarts = 40;
  const ImageRegularisation<C> tv;
  const Vector<C> star = image_warpd<C>(*c.A, c.y, shape, tv, s).solution;
  s.restarts = 10;
  const SolverResult<C> w = image_warpd<C>(*c.A, c.y, shape, tv, s);
  const SolverResult<C> b_erg = image_primal_dual_baseline<C>(*c.A, c.y, shape, tv, s);
  s.ergodic = false;
  const SolverResult<C> b_last = image_primal_dual_baseline<C>(*c.A, c.y, shape, tv, s);
  CHECK(w.iterations == 1000);
  CHECK(b_erg.iterations == 1000);
  MESSAGE("to u*: WARPd ", rel(w.solution, star), ", baseline ergodic ", rel(b_erg.solution, star), ", last iterate ",
          rel(b_last.solution, star));
  MESSAGE("to the truth: WARPd ", rel(w.solution, c.u), ", baseline ergodic ", rel(b_erg.solution, c.u),
          ", last iterate ", rel(b_last.solution, c.u), "; zero filling ", rel(c.A->adjoint(c.y), c.u));
  CHECK(rel(w.solution, star) <= 0.25 * rel(b_erg.solution, star));
  CHECK(rel(w.solution, star) <= 0.25 * rel(b_last.solution, star));
  CHECK(rel(w.solution, c.u) < rel(b_erg.solution, c.u));
  CHECK(rel(w.solution, c.u) < rel(b_last.solution, c.u));
  CHECK(rel(w.solution, c.u) < 0.75 * rel(c.A->adjoint(c.y), c.u));
}

// TGV and analysis l1 (Haar, level weights) on the same example: both
// satisfy the constraint and, since the truth is feasible (||A u - y|| =
// ||e|| = eps), reach an objective at most the truth's (for TGV the truth's
// is at most alpha1 TV(u), taking v = 0); both lie closer to the truth than
// zero filling (measured: TGV 0.38 like TV, Haar analysis 0.48 against zero
// filling's 0.57). The observer's error for TGV is that of the image part of
// (u, v).
TEST_CASE("image WARPd: TGV and weighted analysis l1 on the phantom example") {
  const ImageShape shape{64, 64};
  const ImageCase<C> c = image_case<C>(shape, phantom(shape), 0.15, 0.05, 1);
  const double zero_fill = rel(c.A->adjoint(c.y), c.u);
  WarpdSettings<C> s;
  s.eps = c.eta;
  s.C1 = 1;
  s.C2 = 10;
  s.inner = 100;
  s.restarts = 10;
  s.reference = c.u;
  s.observe_every = 100;
  double observed = -1;
  s.observer = [&](const IterationInfo<double>& info) {
    observed = *info.error;
    return true;
  };
  ImageRegularisation<C> tgv;
  tgv.kind = ImageRegulariserKind::tgv;
  const SolverResult<C> r_tgv = image_warpd<C>(*c.A, c.y, shape, tgv, s);
  REQUIRE(r_tgv.solution.size() == shape.size());
  CHECK(observed == doctest::Approx((r_tgv.solution - c.u).norm()).epsilon(1e-12));
  auto W = std::make_shared<WaveletTransform<C>>(shape, 1, 3);
  ImageRegularisation<C> ana;
  ana.kind = ImageRegulariserKind::analysis;
  ana.analysis = W;
  ana.level_starts = W->level_starts();
  ana.level_weights.assign(ana.level_starts.size() - 1, 1.0);
  ana.level_weights.front() = 0.25;  // the approximation band is not sparse
  const SolverResult<C> r_ana = image_warpd<C>(*c.A, c.y, shape, ana, s);
  MESSAGE("TGV ", rel(r_tgv.solution, c.u), ", analysis (Haar) ", rel(r_ana.solution, c.u), ", zero filling ",
          zero_fill);
  CHECK(rel(r_tgv.solution, c.u) < 0.75 * zero_fill);
  CHECK(rel(r_ana.solution, c.u) < zero_fill);
  const Gradient2D<C> grad(shape);
  const double tv_truth = grouped_l1_norm<C>(grad.forward(c.u), GroupLayout<double>{{shape.size(), 2, 1.0}});
  CHECK(r_tgv.objective <= tgv.alpha1 * tv_truth);
  GroupLayout<double> levels;
  for (std::size_t l = 0; l + 1 < ana.level_starts.size(); ++l)
    levels.push_back({ana.level_starts[l + 1] - ana.level_starts[l], 1, ana.level_weights[l]});
  CHECK(r_ana.objective <= grouped_l1_norm<C>(W->forward(c.u), levels));
  CHECK(r_tgv.feasibility_gap <= 1e-6 * c.eta);
  CHECK(r_ana.feasibility_gap <= 1e-6 * c.eta);
  ana.level_weights.pop_back();
  CHECK_THROWS_WITH_AS(image_warpd<C>(*c.A, c.y, shape, ana, s), doctest::Contains("one weight per level"),
                       std::invalid_argument);
  s.B = W;
  CHECK_THROWS_WITH_AS(image_warpd<C>(*c.A, c.y, shape, tgv, s), doctest::Contains("leave them empty"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(image_warpd<C>(*c.A, c.y, ImageShape{32, 32}, tgv, WarpdSettings<C>()),
                       doctest::Contains("must match"), std::invalid_argument);
}

// Noiseless, 16 x 16, 30% power-law samples of an image with a sparse
// gradient, which TV recovers exactly: WARPd converges linearly to the
// rounding floor. Double stops near 1e-16 (measured 7.5e-17 relative); MPFR at
// 128 bits continues (measured 1.2e-22 after 35 restarts; u = 2.9e-39).
TEST_CASE("image WARPd (TV) in MPFR goes below double's floor at noise 0" * doctest::skip(sanitize_profile())) {
  const ImageShape shape{16, 16};
  WarpdSettings<C> sd;
  sd.C1 = 1;
  sd.C2 = 10;
  sd.inner = 50;
  sd.restarts = 35;
  const ImageCase<C> cd = image_case<C>(shape, blocks<C>(16), 0.3, 0.0, 3);
  const double err_double = rel(image_warpd<C>(*cd.A, cd.y, shape, ImageRegularisation<C>(), sd).solution, cd.u);
  using M = std::complex<mpfr_real>;
  PrecisionGuard guard(128);
  const ImageCase<M> cm = image_case<M>(shape, blocks<M>(16), 0.3, 0.0, 3);
  WarpdSettings<M> sm;
  sm.C1 = 1;
  sm.C2 = 10;
  sm.inner = 50;
  sm.restarts = 35;
  const SolverResult<M> r = image_warpd<M>(*cm.A, cm.y, shape, ImageRegularisation<M>(), sm);
  const double err_mpfr = double((r.solution - cm.u).norm() / cm.u.norm());
  MESSAGE("noiseless 16 x 16: double ", err_double, ", MPFR 128 bits ", err_mpfr);
  CHECK(err_double <= 1e-14);
  CHECK(err_double >= 1e-18);  // double's rounding floor
  CHECK(err_mpfr <= 1e-20);
}

// The published example at full size, for docs/solvers.md ("WARPd for
// images"): 256 x 256, 15% power-law Fourier samples, 5% noise, TV and TGV,
// 10 restarts x 100 against the baseline's 1000 steps. About 30 s on one
// core, so skipped by default; run it with
//   tests_solvers --test-case='*256 x 256*' --no-skip
TEST_CASE("image WARPd: the published example at 256 x 256" * doctest::skip()) {
  const ImageShape shape{256, 256};
  const ImageCase<C> c = image_case<C>(shape, phantom(shape), 0.15, 0.05, 1);
  const double zero_fill = rel(c.A->adjoint(c.y), c.u);
  for (ImageRegulariserKind kind : {ImageRegulariserKind::tv, ImageRegulariserKind::tgv}) {
    ImageRegularisation<C> reg;
    reg.kind = kind;
    WarpdSettings<C> s;
    s.eps = c.eta;
    s.C1 = 1;
    s.C2 = 10;
    s.inner = 100;
    s.restarts = 10;
    s.reference = c.u;
    s.observe_every = 100;
    std::string per_restart;
    s.observer = [&](const IterationInfo<double>& info) {
      per_restart += " " + std::to_string(*info.error / c.u.norm());
      return true;
    };
    const auto t0 = std::chrono::steady_clock::now();
    const SolverResult<C> w = image_warpd<C>(*c.A, c.y, shape, reg, s);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.observer = nullptr;
    const SolverResult<C> b_erg = image_primal_dual_baseline<C>(*c.A, c.y, shape, reg, s);
    s.ergodic = false;
    const SolverResult<C> b_last = image_primal_dual_baseline<C>(*c.A, c.y, shape, reg, s);
    const char* name = kind == ImageRegulariserKind::tv ? "TV" : "TGV";
    MESSAGE(std::string(name), ": WARPd ", rel(w.solution, c.u), " in ", seconds,
            " s (after each restart:", per_restart, "); baseline ergodic ", rel(b_erg.solution, c.u),
            ", last iterate ", rel(b_last.solution, c.u), "; zero filling ", zero_fill);
    CHECK(rel(w.solution, c.u) < rel(b_last.solution, c.u));
    CHECK(rel(w.solution, c.u) < rel(b_erg.solution, c.u));
  }
}
