// Training the learned unrolled ISTA network (learned_ista.hpp) on seeded
// ellipse phantoms: data sets, the loss, and full-batch Adam.
//
// Data: image i of a set with seed s is random_ellipses(shape, s * 2^20 + i)
// (phantom.hpp), x_i = W image_i its wavelet coefficients, y_i = A x_i + e_i
// with e_i = relative_noise(A x_i, noise, noise_seed(s * 2^20 + i)): the
// operator, wavelet and shape are those of a given ImagingProblem, so the
// network is trained for that sampling pattern. A detail image h may be
// added to every other image (i odd): x_i = W (image_i + h), the training set
// of the stability-accuracy trade-off (learned_tradeoff.hpp).
//
// Loss: the mean over the set of ||Phi(y_i) - x_i||^2 (coefficients; W is
// orthogonal, so this is the squared pixel error). Its gradient is the mean
// of the reverse-mode parameter gradients with output gradient 2 (Phi(y_i) -
// x_i). Adam (Kingma & Ba, bias-corrected; a complex entry of U or V is two
// real parameters, as in LISTA's training), one full-batch step per epoch,
// thresholds projected back to >= 0 after each step. The examples are
// visited in order and summed in that order: the result is the same bit for
// bit on every run with the same seed (single thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"

namespace barriers {

template <class T>
struct LearnedDataset {
  std::vector<Vector<T>> x;  ///< true coefficients
  std::vector<Vector<T>> y;  ///< measurements
};

/// `count` >= 1 ellipse examples for the operator of `problem` (see above);
/// a non-empty `detail` (an image of problem.shape) is added to the odd
/// ones. Throws std::invalid_argument for count < 1, a bad noise level or a
/// detail of another shape.
template <class T>
LearnedDataset<T> ellipse_dataset(const ImagingProblem<T>& problem, int count, std::uint64_t seed,
                                  const real_of<T>& noise, const Matrix<real_of<T>>& detail = {});

template <class T>
struct LearnedScore {
  using Real = real_of<T>;
  Real loss;            ///< mean ||Phi(y_i) - x_i||^2
  Real relative_error;  ///< mean ||Phi(y_i) - x_i|| / ||x_i||
};

/// The network's score on a set (forward passes only).
template <class T>
LearnedScore<T> learned_score(LearnedIstaMap<T>& map, const LearnedDataset<T>& set);

template <class T>
struct LearnedTrainingSettings {
  using Real = real_of<T>;
  int epochs = 200;                ///< >= 1 full-batch Adam steps
  Real learning_rate = Real(1) / Real(200);
  Real beta1 = Real(9) / Real(10);
  Real beta2 = Real(999) / Real(1000);
  Real adam_epsilon = Real(1) / Real(100000000);
  /// Relative noise drawn afresh every epoch on the training measurements
  /// (noise augmentation: example i in epoch e gets relative_noise(y_i,
  /// noise, seeded by noise_seed, e and i)); 0 trains on the set's y as they
  /// are. A set made with noise of its own would get both.
  Real noise = Real(0);
  std::uint64_t noise_seed = 1;
  /// Called after each epoch with (epoch, loss before that epoch's step).
  std::function<void(int, const Real&)> progress;
};

template <class T>
struct LearnedTrainingResult {
  using Real = real_of<T>;
  std::vector<Real> loss;  ///< loss[e]: before step e; loss[epochs]: after the last step
  int best_epoch = 0;      ///< index into loss of the parameters kept
};

/// Trains map's parameters on `train` and leaves in the map the parameters
/// with the lowest training loss seen (the last ones when it kept falling).
/// Throws std::invalid_argument for an empty set, sizes that do not fit the
/// map, or bad settings.
template <class T>
LearnedTrainingResult<T> train_learned_ista(LearnedIstaMap<T>& map, const LearnedDataset<T>& train,
                                            const LearnedTrainingSettings<T>& settings);

/// Everything of one training run: network shape, data, optimiser.
template <class T>
struct LearnedSetup {
  using Real = real_of<T>;
  int layers = 10;
  int rank = 1;                 ///< rank of the linear term U V^* (0: none)
  int train_count = 32;         ///< training images, set seed `seed`
  int test_count = 16;          ///< held-out images, set seed `seed + 1`
  std::uint64_t seed = 1;       ///< also seeds U and V
  Real noise = Real(0);         ///< relative noise: redrawn every training epoch, drawn once in the held-out set
  Real threshold = Real(1) / Real(1000);  ///< starting threshold
  Real init_scale = Real(1) / Real(100);  ///< starting size of U and V (initial_learned_ista_params)
  LearnedTrainingSettings<T> training;
};

template <class T>
struct TrainedLearned {
  std::shared_ptr<LearnedIstaMap<T>> map;
  LearnedTrainingResult<T> training;
  LearnedScore<T> train_score, test_score;  ///< of the kept parameters
};

/// Builds the network for problem.A (levels problem.level_starts), trains it
/// on ellipse_dataset(problem, train_count, seed, 0, detail) with the
/// setup's noise redrawn every epoch (training.noise = noise), and scores it
/// on that noise-free training set and on ellipse_dataset(problem,
/// test_count, seed + 1, noise, detail), whose noise is drawn once. Throws
/// std::invalid_argument for bad settings.
template <class T>
TrainedLearned<T> train_learned(const ImagingProblem<T>& problem, const LearnedSetup<T>& setup,
                                const Matrix<real_of<T>>& detail = {});

#define BARRIERS_X(T)                                                                                        \
  extern template TrainedLearned<T> train_learned<T>(const ImagingProblem<T>&, const LearnedSetup<T>&,       \
                                                     const Matrix<real_of<T>>&);                             \
  extern template LearnedDataset<T> ellipse_dataset<T>(const ImagingProblem<T>&, int, std::uint64_t,         \
                                                       const real_of<T>&, const Matrix<real_of<T>>&);        \
  extern template LearnedScore<T> learned_score<T>(LearnedIstaMap<T>&, const LearnedDataset<T>&);            \
  extern template LearnedTrainingResult<T> train_learned_ista<T>(LearnedIstaMap<T>&, const LearnedDataset<T>&, \
                                                                 const LearnedTrainingSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
