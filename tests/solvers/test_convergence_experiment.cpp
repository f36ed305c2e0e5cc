// The FIRENET convergence experiment: the recorded history, the summary read
// off a curve, and the point of the experiment: without noise, MPFR follows
// the linear convergence far below the floor where double stops.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "barriers/solvers/imaging/convergence_experiment.hpp"
#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/level_weights.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/sampled_transform.hpp"
#include "barriers/solvers/imaging/sampling_pattern.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {

// A small wavelet-sparse imaging problem: the Shepp-Logan phantom's Haar
// coefficients cut to their `kept` largest (so x is exactly sparse in
// levels), measured by P_Omega U W^* on a DAS pattern.
template <class T>
struct TinyProblem {
  std::shared_ptr<const SampledTransform<T>> A;
  Vector<T> x, y;
  Vector<real_of<T>> weights;
  real_of<T> noise_norm;
};

template <class T>
TinyProblem<T> tiny_problem(Eigen::Index side, int levels, long kept, double rate, double noise) {
  using R = real_of<T>;
  const ImageShape s{side, side};
  auto W = std::make_shared<const WaveletTransform<T>>(s, 1, levels);
  std::shared_ptr<const LinearOperator<T>> U;
  SpectrumLayout layout = SpectrumLayout::walsh;
  R delta_U;
  if constexpr (number_traits<T>::is_complex) {
    auto F = std::make_shared<const FourierTransform<T>>(s);
    delta_U = F->norm_bound() - 1;
    U = F;
    layout = SpectrumLayout::fourier;
  } else {
    auto H = std::make_shared<const WalshHadamard<T>>(s);
    delta_U = H->norm_bound() - 1;
    U = H;
  }
  const Matrix<R> image = shepp_logan<R>(s);
  Vector<T> pixels(s.size());
  for (Eigen::Index k = 0; k < s.size(); ++k) pixels(k) = T(image(k % side, k / side));
  const Vector<T> c = W->forward(pixels);
  std::vector<Eigen::Index> order(std::size_t(s.size()));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(),
                   [&c](Eigen::Index a, Eigen::Index b) { return modulus(c(a)) > modulus(c(b)); });
  TinyProblem<T> p;
  p.x = Vector<T>::Zero(s.size());
  for (long k = 0; k < kept; ++k) p.x(order[std::size_t(k)]) = c(order[std::size_t(k)]);
  const SamplingPattern omega =
      das_pattern(s, layout, RadiusMetric::square, levels + 1, samples_for_rate(rate, s.size()), 7);
  p.A = std::make_shared<const SampledTransform<T>>(U, W, omega.indices, delta_U, W->rounding_bound());
  const Vector<T> clean = p.A->forward(p.x);
  const Vector<T> e = relative_noise<T>(clean, R(noise), 11);
  p.y = clean + e;
  p.noise_norm = R(e.norm());
  p.weights = level_weights<R>(W->level_starts(), local_sparsities_largest<T>(p.x, W->level_starts(), kept));
  return p;
}

// FIRENET as the convergence command runs it: lambda = 0.1 / sqrt(s),
// weights sqrt(s / s_k), p = 20, delta = the noise norm.
template <class T>
ConvergenceRun tiny_run(const TinyProblem<T>& p, long kept, int restarts) {
  using R = real_of<T>;
  FirenetSettings<T> s;
  s.lambda = R(0.1 / std::sqrt(double(kept)));
  s.weights = p.weights;
  s.restarts = restarts;
  s.inner = 20;
  s.delta = p.noise_norm;
  return firenet_convergence<T>(*p.A, p.y, p.x, s);
}

std::vector<ConvergencePoint> synthetic(const std::vector<double>& restart_errors, long inner) {
  std::vector<ConvergencePoint> h;
  for (std::size_t r = 0; r < restart_errors.size(); ++r)
    for (long i = 0; i < inner; ++i) {
      ConvergencePoint p;
      p.iteration = long(r) * inner + i + 1;
      p.restart = long(r);
      p.relative_error = i + 1 == inner ? restart_errors[r] : 1.0;  // only restart ends count
      h.push_back(p);
    }
  return h;
}

}  // namespace

TEST_CASE("summarise_convergence: rate, floor and where the curve flattens") {
  // e_r = max(0.5^r, 1e-6): falls by exactly 0.5 per restart, flat from
  // r = 20 (0.5^20 = 9.5e-7 < 1e-6); the fit stops before e_r <= 10 floor.
  std::vector<double> e;
  for (int r = 1; r <= 40; ++r) e.push_back(std::max(std::pow(0.5, r), 1e-6));
  const ConvergenceSummary s = summarise_convergence(synthetic(e, 3));
  REQUIRE(s.restart_errors.size() == 40);
  CHECK(s.restart_errors[4] == std::pow(0.5, 5));
  CHECK(s.floor_reached);
  CHECK(s.floor == doctest::Approx(1e-6).epsilon(1e-12));
  CHECK(s.flattens_at == 19);  // 0.5^19 = 1.9e-6 <= 2e-6 < 0.5^18
  CHECK(s.fit_first == 1);
  CHECK(s.fit_last == 16);     // 0.5^16 = 1.5e-5 > 1e-5 >= 0.5^17
  CHECK(s.rate_per_restart == doctest::Approx(0.5).epsilon(1e-12));
  // Still falling at the end: no floor, the fit covers every restart.
  std::vector<double> g;
  for (int r = 1; r <= 30; ++r) g.push_back(std::exp(-double(r)));
  const ConvergenceSummary t = summarise_convergence(synthetic(g, 2));
  CHECK_FALSE(t.floor_reached);
  CHECK(t.flattens_at == 0);
  CHECK(t.fit_last == 30);
  CHECK(t.rate_per_restart == doctest::Approx(std::exp(-1.0)).epsilon(1e-12));
  // Too short to fit.
  CHECK(std::isnan(summarise_convergence(synthetic({0.5, 0.25}, 1)).rate_per_restart));
}

TEST_CASE("predicted_relative_bound is (delta + e^-n eps0) / ||x||") {
  CHECK(predicted_relative_bound(0.0, 2.0, 4.0, 0) == 0.5);
  CHECK(predicted_relative_bound(1e-3, 2.0, 2.0, 3) == doctest::Approx((1e-3 + 2 * std::exp(-3.0)) / 2));
}

// A 16 x 16 Walsh-Haar problem, 6 of 256 coefficients, 35% DAS samples. With
// noise 1e-3 FIRENET stops at the noise level; that run measures the
// stability constant C_e = floor / (||e|| / ||x||) of this problem. Without
// noise the only perturbation left is rounding: each step applies A with a
// relative error of at most A.delta() (its certified forward error bound)
// plus the O(u) of the vector updates, so the double curve must flatten at
// no more than C_e (delta + 8 u) relative, with a factor 10 for the
// accumulation over the steps of a restart. In MPFR at 128 bits the same
// run passes 1e-20 (u = 2^-128 = 2.9e-39): the linear convergence goes on
// far below where double stops.
TEST_CASE("FIRENET convergence: double flattens at its rounding floor, MPFR 128 bits goes below 1e-20") {
  const long kept = 6;
  const auto noisy = tiny_problem<double>(16, 1, kept, 0.35, 1e-3);
  const ConvergenceRun nr = tiny_run(noisy, kept, 20);
  const ConvergenceSummary ns = summarise_convergence(nr.history);
  REQUIRE(ns.floor_reached);
  const double rel_noise = noisy.noise_norm / noisy.x.norm();
  const double C_e = ns.floor / rel_noise;
  INFO("noise floor ", ns.floor, " relative noise ", rel_noise);
  CHECK(C_e <= 10);  // stable: the floor is of the order of the noise

  const auto clean = tiny_problem<double>(16, 1, kept, 0.35, 0.0);
  const int restarts = 52;  // ceil(53 ln 2) + 15, as the command's auto
  const ConvergenceRun dr = tiny_run(clean, kept, restarts);
  REQUIRE(dr.history.size() == std::size_t(restarts * 20));
  CHECK(dr.history.front().iteration == 1);
  CHECK(dr.history.back().iteration == restarts * 20);
  CHECK(dr.history.back().restart == restarts - 1);
  double min_gap = 1;
  for (const ConvergencePoint& p : dr.history) {
    CHECK(p.objective_gap >= 0);
    min_gap = std::min(min_gap, p.objective_gap);
  }
  CHECK(min_gap == 0);  // the best objective of the run is its own reference
  const ConvergenceSummary ds = summarise_convergence(dr.history);
  const double u = std::numeric_limits<double>::epsilon() / 2;
  const double limit = 10 * C_e * (clean.A->delta() + 8 * u);
  INFO("double floor ", ds.floor, " limit ", limit, " rate ", ds.rate_per_restart);
  CHECK(ds.floor_reached);
  CHECK(ds.floor <= limit);
  CHECK(ds.rate_per_restart <= 0.45);  // the schedule's e^-1 = 0.37, with slack for the fit

  PrecisionGuard guard(128);
  const auto mp = tiny_problem<mpfr_real>(16, 1, kept, 0.35, 0.0);
  const ConvergenceRun mr = tiny_run(mp, kept, 60);
  const ConvergenceSummary ms = summarise_convergence(mr.history);
  INFO("mpfr final ", ms.restart_errors.back(), " rate ", ms.rate_per_restart);
  CHECK(ms.restart_errors.back() < 1e-20);
  CHECK(ms.restart_errors.back() < ds.floor * 1e-4);
  CHECK(ms.rate_per_restart <= 0.45);
}
