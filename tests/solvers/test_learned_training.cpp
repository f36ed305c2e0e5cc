// Training the learned unrolled ISTA network (stability/learned_training.hpp):
// training lowers the loss and the held-out error, is reproducible bit for
// bit per seed, runs in MPFR, and refuses bad settings.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"
#include "gmp_allocation_counter.hpp"
#include "learned_test_support.hpp"
#include "barriers/solvers/stability/learned_training.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"

using namespace barriers;

namespace {

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
  const ImagingProblem<T> pr = test::ellipse_problem<T>(16, 0.3);
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
  {  // without training noise the recorded loss is the kept parameters' score on the set, exactly
    LearnedSetup<T> clean = setup;
    clean.noise = 0;
    const TrainedLearned<T> z = train_learned(pr, clean);
    CHECK(z.train_score.loss == z.training.loss[std::size_t(z.training.best_epoch)]);
  }
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
  const ImagingProblem<T> pr = test::ellipse_problem<T>(8, 0.5, PatternKind::uniform);
  LearnedSetup<T> setup = quick_setup<T>(2);
  setup.layers = 3;
  setup.train_count = 2;
  setup.test_count = 1;
  setup.training.epochs = 4;
  const TrainedLearned<T> a = train_learned(pr, setup);
  MESSAGE("loss " << double(a.training.loss.front()) << " -> " << double(a.training.loss.back()));
  CHECK(a.training.loss.back() < a.training.loss.front());
}

// Issue 10: in MPFR, real (Walsh sampling) and complex (Fourier sampling,
// the generic FFT), the network's passes, the imaging operator under them
// and the training loop create no MPFR number once their buffers exist; an
// epoch records one (its loss).
TEST_CASE_TEMPLATE("learned ISTA in MPFR: passes and training epochs create no MPFR number", T, mpfr_real,
                   std::complex<mpfr_real>) {
  using R = real_of<T>;
  PrecisionGuard guard(128);
  const ImagingProblem<T> pr = test::ellipse_problem<T>(16, 0.5, PatternKind::uniform);
  const int levels = int(pr.level_starts.size()) - 1;
  LearnedIstaMap<T> map(pr.A, pr.level_starts,
                        initial_learned_ista_params<T>(*pr.A, 4, levels, R(1) / 100, 1, R(1) / 10, 3));
  Vector<T> out, g_y, measured, image;
  LearnedIstaParams<T> grad;
  const Vector<T> g = Vector<T>::Constant(pr.A->cols(), T(1));
  map.forward(pr.y, out);  // buffers sized
  map.backward_all(g, grad, g_y);
  pr.A->apply(out, measured);
  pr.A->apply_adjoint(pr.y, image);
  {
    test::GmpAllocationCounter counter;
    pr.A->apply(out, measured);
    pr.A->apply_adjoint(pr.y, image);
    CHECK(counter.count() == 0);
  }
  {
    test::GmpAllocationCounter counter;
    map.forward(pr.y, out);
    map.backward_all(g, grad, g_y);
    map.backward(g, g_y);
    CHECK(counter.count() == 0);
  }
  const LearnedDataset<T> set = ellipse_dataset<T>(pr, 4, 9, R(0));
  const auto allocations = [&](int epochs) {
    LearnedTrainingSettings<T> ts;
    ts.epochs = epochs;
    test::GmpAllocationCounter counter;
    train_learned_ista(map, set, ts);
    return counter.count();
  };
  // The set-up (moments, the kept parameters) allocates once per call; each
  // further epoch adds exactly its recorded loss. (The first call also makes
  // the per-thread temporaries.)
  allocations(2);
  const long two = allocations(2), six = allocations(6);
  CHECK(six - two == 4);
  // With noise redrawn every epoch (add_relative_noise_into) the same.
  const auto noisy = [&](int epochs) {
    LearnedTrainingSettings<T> ts;
    ts.epochs = epochs;
    ts.noise = R(1) / 10;
    test::GmpAllocationCounter counter;
    train_learned_ista(map, set, ts);
    return counter.count();
  };
  noisy(2);
  const long noisy_two = noisy(2), noisy_six = noisy(6);
  // Each epoch: its loss, and the numbers MPFR's log and sin_cos make inside
  // the noise draws (add_relative_noise_into itself makes none): at most
  // what drawing the four examples' noise directly makes, with slack of one
  // per draw for the library's data-dependent retries.
  Vector<T> drawn;
  long draws = 0;
  for (std::size_t i = 0; i < set.y.size(); ++i)
    draws += test::gmp_allocations_of([&] { add_relative_noise_into<T>(set.y[i], R(1) / 10, 1000 + i, drawn); });
  MESSAGE("numbers per noisy epoch " << (noisy_six - noisy_two) / 4 << ", per draw of the 4 examples' noise " << draws);
  CHECK(noisy_six - noisy_two <= 4 * (1 + draws + 4));
  // The perturbation search on the network: no number per iteration.
  PerturbationLoss<T> loss(map, pr.A, pr.y);
  PerturbationSearchSettings<T> ss;
  ss.budgets = {R(1) / 100};
  ss.restarts = 1;
  const auto search = [](PerturbationLoss<T>& l, const PerturbationSearchSettings<T>& s) { perturbation_search(l, s); };
  test::search_allocations(loss, ss, 2, search);  // every buffer sized
  CHECK(test::search_allocations(loss, ss, 12, search) == test::search_allocations(loss, ss, 2, search));
}

// Noise augmentation: the training noise is redrawn every epoch, seeded, so
// two runs agree bit for bit, another noise seed or level gives another
// run, and the loss each epoch is the noisy loss (above the noise-free one).
TEST_CASE("learned ISTA training with noise redrawn every epoch") {
  const ImagingProblem<double> pr = test::ellipse_problem<double>(16, 0.5, PatternKind::uniform);
  const int levels = int(pr.level_starts.size()) - 1;
  const LearnedDataset<double> set = ellipse_dataset<double>(pr, 6, 4, 0.0);
  const auto run = [&](double noise, std::uint64_t seed) {
    LearnedIstaMap<double> map(pr.A, pr.level_starts, initial_learned_ista_params<double>(*pr.A, 3, levels, 0.01, 1, 0.01, 2));
    LearnedTrainingSettings<double> ts;
    ts.epochs = 5;
    ts.noise = noise;
    ts.noise_seed = seed;
    return train_learned_ista(map, set, ts).loss;
  };
  const std::vector<double> clean = run(0, 1), a = run(0.3, 1), b = run(0.3, 1), c = run(0.3, 2);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a.front() > clean.front());  // same start, noisy measurements
  CHECK_THROWS_AS(run(-1, 1), std::invalid_argument);
}

TEST_CASE("learned ISTA training refuses bad settings") {
  const ImagingProblem<double> pr = test::ellipse_problem<double>(16, 0.3);
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
