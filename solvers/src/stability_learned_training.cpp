// Training the learned unrolled ISTA network: ellipse data sets, the score,
// full-batch Adam.
#include "barriers/solvers/stability/learned_training.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "in_place_ops.hpp"

namespace barriers {

namespace {

// Adam's constants of one step: 1 - beta1, 1 - beta2 and the bias
// corrections c1 = 1 - beta1^t, c2 = 1 - beta2^t.
template <class R>
struct AdamStep {
  const LearnedTrainingSettings<R>& s;
  R one_minus_b1, one_minus_b2;
  in_place_ops::AdamBias<R> bias;
};

// One parameter's step; for MPFR written in place on kept temporaries so
// that it creates no number (each operation rounds as the textbook expression
//   m = b1 m + (1 - b1) g,  v = b2 v + ((1 - b2) g) g,
//   p -= lr (m / c1) / (sqrt(v / c2) + eps)
// does, in that order).
template <class R>
void adam_step(R& p, const R& g, R& m, R& v, const AdamStep<R>& a) {
  if constexpr (!std::is_same_v<R, mpfr_real>) {  // as written (the compiler may fuse a multiply-add)
    using std::sqrt;
    m = a.s.beta1 * m + a.one_minus_b1 * g;
    v = a.s.beta2 * v + a.one_minus_b2 * g * g;
    p -= a.s.learning_rate * (m / a.bias.c1) / (sqrt(v / a.bias.c2) + a.s.adam_epsilon);
    return;
  }
  thread_local R t, q;
  m *= a.s.beta1;
  t = g;
  t *= a.one_minus_b1;
  m += t;
  v *= a.s.beta2;
  t = g;
  t *= a.one_minus_b2;
  t *= g;
  v += t;
  q = v;
  q /= a.bias.c2;
  in_place_ops::sqrt_in_place(q);
  q += a.s.adam_epsilon;
  t = m;
  t /= a.bias.c1;
  t *= a.s.learning_rate;
  t /= q;
  p -= t;
}

// A complex entry is two real parameters with their own moments (m and v
// keep the parts of the two moment estimates), stepped in place.
template <class R>
void adam_step(std::complex<R>& p, const std::complex<R>& g, std::complex<R>& m, std::complex<R>& v,
               const AdamStep<R>& a) {
  using in_place_ops::parts;
  for (int c = 0; c < 2; ++c) adam_step(parts(p)[c], parts(g)[c], parts(m)[c], parts(v)[c], a);
}

template <class T>
LearnedTrainingSettings<real_of<T>> real_settings(const LearnedTrainingSettings<T>& s) {
  LearnedTrainingSettings<real_of<T>> r;
  r.epochs = s.epochs;
  r.learning_rate = s.learning_rate;
  r.beta1 = s.beta1;
  r.beta2 = s.beta2;
  r.adam_epsilon = s.adam_epsilon;
  return r;
}

// z shaped like p, every entry zero. For MPFR the zeros are assigned into
// z's numbers (no new ones once z has p's shape).
template <class T>
void set_zero_like(LearnedIstaParams<T>& z, const LearnedIstaParams<T>& p) {
  using Real = real_of<T>;
  z.steps.resize(p.steps.size());
  for (Real& s : z.steps) s = 0;
  z.thresholds.resize(p.thresholds.size());
  for (std::size_t k = 0; k < p.thresholds.size(); ++k) in_place_ops::set_zero(z.thresholds[k], p.thresholds[k].size());
  z.U.resize(p.U.rows(), p.U.cols());
  z.V.resize(p.V.rows(), p.V.cols());
  for (Matrix<T>* a : {&z.U, &z.V}) {
    Real* r = in_place_ops::reals(*a);
    for (Eigen::Index j = 0; j < in_place_ops::width<T> * a->size(); ++j) r[j] = 0;
  }
}

template <class T>
void add_to(LearnedIstaParams<T>& acc, const LearnedIstaParams<T>& g) {
  for (std::size_t k = 0; k < g.steps.size(); ++k) {
    acc.steps[k] += g.steps[k];
    acc.thresholds[k] += g.thresholds[k];
  }
  using Real = real_of<T>;
  for (auto [a, b] : {std::pair<Matrix<T>*, const Matrix<T>*>{&acc.U, &g.U}, {&acc.V, &g.V}}) {
    Real* r = in_place_ops::reals(*a);  // part by part (complex += would copy the parts)
    const Real* q = in_place_ops::reals(*b);
    for (Eigen::Index j = 0; j < in_place_ops::width<T> * a->size(); ++j) r[j] += q[j];
  }
}

}  // namespace

template <class T>
LearnedDataset<T> ellipse_dataset(const ImagingProblem<T>& problem, int count, std::uint64_t seed,
                                  const real_of<T>& noise, const Matrix<real_of<T>>& detail) {
  using Real = real_of<T>;
  if (count < 1 || count > (1 << 20))
    throw std::invalid_argument("count = " + std::to_string(count) + "; it must lie in 1..2^20");
  if (!is_finite_scalar(noise) || noise < 0) throw std::invalid_argument("noise must be finite and >= 0");
  const bool with_detail = detail.size() > 0;
  if (with_detail && (detail.rows() != problem.shape.rows || detail.cols() != problem.shape.cols))
    throw std::invalid_argument("the detail image has another shape than the problem's image");
  LearnedDataset<T> set;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t s = (seed << 20) + std::uint64_t(i);
    Matrix<Real> image = random_ellipses<Real>(problem.shape, s);
    if (with_detail && i % 2 == 1) image += detail;
    const Vector<T> pixels = Eigen::Map<const Vector<Real>>(image.data(), image.size()).template cast<T>();
    Vector<T> x = problem.wavelet->forward(pixels);
    Vector<T> y = problem.A->forward(x);
    y += relative_noise<T>(y, noise, noise_seed(s));
    set.x.push_back(std::move(x));
    set.y.push_back(std::move(y));
  }
  return set;
}

template <class T>
LearnedScore<T> learned_score(LearnedIstaMap<T>& map, const LearnedDataset<T>& set) {
  using Real = real_of<T>;
  if (set.x.empty() || set.x.size() != set.y.size()) throw std::invalid_argument("the data set is empty or ragged");
  Real loss(0), rel(0);
  Vector<T> out;
  for (std::size_t i = 0; i < set.x.size(); ++i) {
    map.forward(set.y[i], out);
    out -= set.x[i];
    const Real e2 = out.squaredNorm();
    loss += e2;
    using std::sqrt;
    rel += sqrt(e2) / set.x[i].norm();
  }
  const Real n = Real(long(set.x.size()));
  return {loss / n, rel / n};
}

template <class T>
LearnedTrainingResult<T> train_learned_ista(LearnedIstaMap<T>& map, const LearnedDataset<T>& train,
                                            const LearnedTrainingSettings<T>& settings) {
  using Real = real_of<T>;
  if (train.x.empty() || train.x.size() != train.y.size())
    throw std::invalid_argument("the training set is empty or ragged");
  for (std::size_t i = 0; i < train.x.size(); ++i)
    if (train.x[i].size() != map.output_size() || train.y[i].size() != map.input_size())
      throw std::invalid_argument("training example " + std::to_string(i) + " does not fit the network's sizes");
  if (settings.epochs < 1) throw std::invalid_argument("epochs must be >= 1");
  const auto bad = [](const Real& v, const Real& lo, const Real& hi) { return !(v >= lo && v < hi); };
  if (!is_finite_scalar(settings.learning_rate) || !(settings.learning_rate > 0))
    throw std::invalid_argument("learning_rate must be finite and > 0");
  if (bad(settings.beta1, Real(0), Real(1)) || bad(settings.beta2, Real(0), Real(1)))
    throw std::invalid_argument("beta1 and beta2 must lie in [0, 1)");
  if (!is_finite_scalar(settings.adam_epsilon) || !(settings.adam_epsilon > 0))
    throw std::invalid_argument("adam_epsilon must be finite and > 0");
  if (!is_finite_scalar(settings.noise) || settings.noise < 0)
    throw std::invalid_argument("the training noise must be finite and >= 0");
  const bool augment = settings.noise > 0;

  const LearnedTrainingSettings<Real> rs = real_settings(settings);
  LearnedIstaParams<T> p = map.params(), best = p, grad, gi, m, v;
  set_zero_like(m, p);
  set_zero_like(v, p);
  set_zero_like(grad, p);
  const Real n = Real(long(train.x.size())), two(2);
  Vector<T> out, g_y, noisy;
  LearnedTrainingResult<T> result;
  result.loss.reserve(std::size_t(settings.epochs) + 1);
  Real best_loss(0), loss(0), example_loss(0);
  AdamStep<Real> adam{rs, Real(1), Real(1), {}};
  adam.one_minus_b1 -= settings.beta1;
  adam.one_minus_b2 -= settings.beta2;
  // Every number the loop needs exists before it: an epoch creates none but
  // the one it records (result.loss), for MPFR too.
  for (int epoch = 0; epoch <= settings.epochs; ++epoch) {
    // Loss and gradient at the current parameters (the last pass only
    // scores the final parameters).
    const bool step = epoch < settings.epochs;
    loss = 0;
    set_zero_like(grad, p);
    for (std::size_t i = 0; i < train.x.size(); ++i) {
      if (augment) {  // this epoch's noise for example i
        add_relative_noise_into<T>(train.y[i], settings.noise,
                                   noise_seed((settings.noise_seed << 40) ^ (std::uint64_t(epoch) << 20) ^ i), noisy);
      }
      map.forward(augment ? noisy : train.y[i], out);
      in_place_ops::subtract(out, train.x[i]);
      in_place_ops::squared_norm_into(example_loss, out);
      loss += example_loss;
      if (!step) continue;
      for (Eigen::Index j = 0; j < out.size(); ++j) out(j) *= two;  // (Eigen's out *= two copies two per entry)
      map.backward_all(out, gi, g_y);
      add_to(grad, gi);
    }
    loss /= n;
    if (!is_finite_scalar(loss)) throw std::runtime_error("the training loss is not finite");
    result.loss.push_back(loss);
    if (epoch == 0 || loss < best_loss) {
      best_loss = loss;
      best = p;
      result.best_epoch = epoch;
    }
    if (!step) break;
    adam.bias.step(settings.beta1, settings.beta2);
    // The mean gradient (grad / n, in place), then one Adam step per parameter.
    for (std::size_t k = 0; k < p.steps.size(); ++k) {
      grad.steps[k] /= n;
      adam_step(p.steps[k], grad.steps[k], m.steps[k], v.steps[k], adam);
      for (Eigen::Index l = 0; l < p.thresholds[k].size(); ++l) {
        grad.thresholds[k](l) /= n;
        adam_step(p.thresholds[k](l), grad.thresholds[k](l), m.thresholds[k](l), v.thresholds[k](l), adam);
        if (p.thresholds[k](l) < 0) p.thresholds[k](l) = 0;
      }
    }
    for (Eigen::Index j = 0; j < p.U.size(); ++j) {
      grad.U.data()[j] /= n;
      adam_step(p.U.data()[j], grad.U.data()[j], m.U.data()[j], v.U.data()[j], adam);
    }
    for (Eigen::Index j = 0; j < p.V.size(); ++j) {
      grad.V.data()[j] /= n;
      adam_step(p.V.data()[j], grad.V.data()[j], m.V.data()[j], v.V.data()[j], adam);
    }
    map.set_params(p);
    if (settings.progress) settings.progress(epoch, loss);
  }
  map.set_params(best);
  return result;
}

template <class T>
TrainedLearned<T> train_learned(const ImagingProblem<T>& problem, const LearnedSetup<T>& setup,
                                const Matrix<real_of<T>>& detail) {
  using Real = real_of<T>;
  const int levels = int(problem.level_starts.size()) - 1;
  TrainedLearned<T> out;
  out.map = std::make_shared<LearnedIstaMap<T>>(
      problem.A, problem.level_starts,
      initial_learned_ista_params<T>(*problem.A, setup.layers, levels, setup.threshold, setup.rank,
                                     setup.init_scale, setup.seed));
  const LearnedDataset<T> train = ellipse_dataset(problem, setup.train_count, setup.seed, Real(0), detail);
  const LearnedDataset<T> test = ellipse_dataset(problem, setup.test_count, setup.seed + 1, setup.noise, detail);
  LearnedTrainingSettings<T> training = setup.training;
  training.noise = setup.noise;
  training.noise_seed = setup.seed;
  out.training = train_learned_ista(*out.map, train, training);
  out.train_score = learned_score(*out.map, train);
  out.test_score = learned_score(*out.map, test);
  return out;
}

#define BARRIERS_X(T)                                                                                       \
  template TrainedLearned<T> train_learned<T>(const ImagingProblem<T>&, const LearnedSetup<T>&,              \
                                              const Matrix<real_of<T>>&);                                    \
  template LearnedDataset<T> ellipse_dataset<T>(const ImagingProblem<T>&, int, std::uint64_t,               \
                                                const real_of<T>&, const Matrix<real_of<T>>&);              \
  template LearnedScore<T> learned_score<T>(LearnedIstaMap<T>&, const LearnedDataset<T>&);                  \
  template LearnedTrainingResult<T> train_learned_ista<T>(LearnedIstaMap<T>&, const LearnedDataset<T>&,      \
                                                          const LearnedTrainingSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
