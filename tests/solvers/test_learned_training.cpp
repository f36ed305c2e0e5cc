// Training the learned unrolled ISTA network (stability/learned_training.hpp)
// and the trade-off pieces (stability/learned_tradeoff.hpp): training lowers
// the loss and the held-out error, is reproducible bit for bit per seed, runs
// in MPFR; the text detail's ink; the bound ||h|| / ||A h|| and a map that
// attains it.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"
#include "barriers/solvers/stability/learned_tradeoff.hpp"
#include "barriers/solvers/stability/learned_training.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"

using namespace barriers;

namespace {

template <class T>
ImagingProblem<T> problem(Eigen::Index side, double rate, PatternKind pattern = PatternKind::das) {
  ImagingSpec spec;
  spec.sampling = number_traits<T>::is_complex ? SamplingKind::fourier : SamplingKind::walsh;
  spec.pattern = pattern;
  spec.rate = rate;
  spec.wavelet = "haar";
  spec.noise = 0;
  spec.seed = 3;
  return make_imaging_problem<T>(random_ellipses<real_of<T>>({side, side}, 1), spec);
}

template <class T>
bool same_params(const LearnedIstaParams<T>& a, const LearnedIstaParams<T>& b) {
  if (a.steps != b.steps || a.thresholds.size() != b.thresholds.size()) return false;
  for (std::size_t k = 0; k < a.thresholds.size(); ++k)
    if (!(a.thresholds[k] == b.thresholds[k])) return false;
  return a.U == b.U && a.V == b.V;
}

template <class T>
LearnedSetup<T> quick_setup(std::uint64_t seed) {
  LearnedSetup<T> s;
  s.layers = 5;
  s.rank = 1;
  s.train_count = 8;
  s.test_count = 8;
  s.seed = seed;
  s.noise = 0.02;
  s.training.epochs = 30;
  s.training.learning_rate = 0.01;
  return s;
}

}  // namespace

TEST_CASE_TEMPLATE("learned ISTA training lowers the loss and the held-out error, reproducibly per seed", T, double,
                   std::complex<double>) {
  using Real = real_of<T>;
  const ImagingProblem<T> pr = problem<T>(16, 0.3);
  const LearnedSetup<T> setup = quick_setup<T>(4);
  // The untrained network's held-out score, for comparison.
  LearnedIstaMap<T> start(pr.A, pr.level_starts,
                          initial_learned_ista_params<T>(*pr.A, setup.layers, int(pr.level_starts.size()) - 1,
                                                         setup.threshold, setup.rank, setup.init_scale, setup.seed));
  const LearnedScore<T> before = learned_score(start, ellipse_dataset(pr, setup.test_count, setup.seed + 1,
                                                                      setup.noise));
  const TrainedLearned<T> a = train_learned(pr, setup);
  MESSAGE("loss " << double(a.training.loss.front()) << " -> " << double(a.training.loss.back())
                  << "; held-out relative error " << double(before.relative_error) << " -> "
                  << double(a.test_score.relative_error));
  CHECK(a.training.loss.size() == std::size_t(setup.training.epochs + 1));
  CHECK(a.train_score.loss == a.training.loss[std::size_t(a.training.best_epoch)]);
  CHECK(a.train_score.loss < Real(0.8) * a.training.loss.front());
  CHECK(a.test_score.relative_error < before.relative_error);

  const TrainedLearned<T> b = train_learned(pr, setup);
  CHECK(same_params(a.map->params(), b.map->params()));
  CHECK(a.training.loss == b.training.loss);
  const TrainedLearned<T> c = train_learned(pr, quick_setup<T>(5));
  CHECK_FALSE(same_params(a.map->params(), c.map->params()));
}

TEST_CASE_TEMPLATE("learned ISTA training in MPFR at a tiny size", T, mpfr_real, std::complex<mpfr_real>) {
  PrecisionGuard guard(128);
  const ImagingProblem<T> pr = problem<T>(8, 0.5, PatternKind::uniform);
  LearnedSetup<T> setup = quick_setup<T>(2);
  setup.layers = 3;
  setup.train_count = 2;
  setup.test_count = 1;
  setup.training.epochs = 4;
  const TrainedLearned<T> a = train_learned(pr, setup);
  MESSAGE("loss " << double(a.training.loss.front()) << " -> " << double(a.training.loss.back()));
  CHECK(a.training.loss.back() < a.training.loss.front());
}

TEST_CASE("learned ISTA training refuses bad settings") {
  const ImagingProblem<double> pr = problem<double>(16, 0.3);
  LearnedSetup<double> s = quick_setup<double>(1);
  s.training.epochs = 0;
  CHECK_THROWS_AS(train_learned(pr, s), std::invalid_argument);
  s = quick_setup<double>(1);
  s.training.learning_rate = -1;
  CHECK_THROWS_AS(train_learned(pr, s), std::invalid_argument);
  s = quick_setup<double>(1);
  s.training.beta2 = 1;
  CHECK_THROWS_AS(train_learned(pr, s), std::invalid_argument);
  CHECK_THROWS_AS(ellipse_dataset(pr, 0, 1, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(ellipse_dataset(pr, 2, 1, 0.0, Matrix<double>::Zero(8, 8)), std::invalid_argument);
}

// The font has 107 ink pixels ("FIRENET", 5 x 7 glyphs; counted from the
// glyph table by hand), one pixel each at 128 x 128. Without them what is
// left is the smooth background: values in [0.1, 0.75], and neighbours
// differ by far less than the ink's 0.2 (the steepest bump, 0.55 exp(-2x^2
// - 10y^2/3), changes by < 0.05 per pixel of width 2/128).
TEST_CASE("text detail ink: the word of text_detail on its own") {
  const ImageShape shape{128, 128};
  const Matrix<double> ink = text_detail_ink<double>(shape);
  const Matrix<double> background = text_detail<double>(shape) - ink;
  long count = 0;
  for (Eigen::Index k = 0; k < ink.size(); ++k) {
    CHECK((ink.data()[k] == 0.0 || ink.data()[k] == 0.2));
    count += ink.data()[k] != 0.0;
  }
  CHECK(count == 107);
  CHECK(background.minCoeff() >= 0.1 - 1e-12);
  CHECK(background.maxCoeff() <= 0.75 + 1e-12);
  double jump = 0;
  for (Eigen::Index j = 0; j + 1 < shape.cols; ++j)
    for (Eigen::Index i = 0; i + 1 < shape.rows; ++i)
      jump = std::max({jump, std::abs(background(i + 1, j) - background(i, j)),
                       std::abs(background(i, j + 1) - background(i, j))});
  CHECK(jump < 0.05);
  CHECK(text_detail_ink<mpfr_real>({64, 64}).cast<double>() == text_detail_ink<double>({64, 64}));
}

// Full sampling makes A unitary (||A h|| = ||h||, ratio 1 up to rounding of
// the transforms, a few ulps times log N); subsampling can only shrink
// ||A h||. At 15% the text detail is mostly unmeasured.
TEST_CASE("detail bound ||h|| / ||A h||") {
  const ImageShape shape{32, 32};
  const Matrix<double> h = text_detail_ink<double>(shape);
  const auto full = detail_lipschitz_bound(problem<std::complex<double>>(32, 1.0), h);
  CHECK(std::abs(full.ratio - 1) < 1e-12);
  CHECK(std::abs(full.detail_norm - h.norm()) < 1e-12);
  const auto sub = detail_lipschitz_bound(problem<std::complex<double>>(32, 0.15), h);
  MESSAGE("text detail at 32 x 32, 15% DAS Fourier: ||h|| " << sub.detail_norm << ", ||A h|| " << sub.measured_norm
                                                            << ", ratio " << sub.ratio);
  CHECK(sub.ratio > 1);
  CHECK_THROWS_AS(detail_lipschitz_bound(problem<std::complex<double>>(32, 0.15), Matrix<double>::Zero(32, 32)),
                  std::invalid_argument);
}

// The map y -> U V^* y with U = W h, V = A W h / ||A W h||^2 (thresholds so
// large that the ISTA part outputs 0) puts h back exactly, and it is linear
// with the single non-zero singular value ||U|| ||V|| = ||h|| / ||A h||: the
// search must find that ratio (and nothing above it), the trade-off bound
// attained.
TEST_CASE_TEMPLATE("a map that recovers the detail attains ||h|| / ||A h||", T, double, std::complex<double>) {
  using Real = real_of<T>;
  const ImagingProblem<T> pr = problem<T>(32, 0.15);
  const Matrix<Real> h = text_detail_ink<Real>(pr.shape);
  const auto bound = detail_lipschitz_bound(pr, h);
  const Vector<T> wh = pr.wavelet->forward(
      Vector<T>(Eigen::Map<const Vector<Real>>(h.data(), h.size()).template cast<T>()));
  const Vector<T> awh = pr.A->forward(wh);
  const int levels = int(pr.level_starts.size()) - 1;
  auto p = initial_learned_ista_params<T>(*pr.A, 2, levels, Real(1e6), 1, Real(0), 1);
  p.U.col(0) = wh;
  p.V.col(0) = awh / awh.squaredNorm();
  LearnedIstaMap<T> map(pr.A, pr.level_starts, p);
  const std::vector<Vector<T>> ys = {pr.y};
  CHECK(std::abs(double(detail_recovered<T>(map, pr, h, ys)) - 1) < 1e-12);

  PerturbationLoss<T> loss(map, nullptr, pr.y);
  PerturbationSearchSettings<T> s;
  s.budgets = {Real(1e-3)};
  s.iterations = 20;
  s.restarts = 1;
  const auto res = perturbation_search(loss, s);
  MESSAGE("bound " << double(bound.ratio) << ", found " << double(res.max_ratio_e));
  // Linear map: the momentum ascent converges to the top singular vector;
  // the tolerance is that convergence, not rounding.
  CHECK(res.max_ratio_e > Real(0.999) * bound.ratio);
  CHECK(res.max_ratio_e < Real(1 + 1e-9) * bound.ratio);
}
