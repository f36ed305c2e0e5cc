// Shared by the experiments (private): exact data rounded to a working type,
// and a LISTA network trained on an Omega_K member's training set read
// through the oracle at the family's precision n (the Table 1 protocol).
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "barriers/impossibility/table1.hpp"
#include "barriers/impossibility/training_data.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/traits.hpp"
#include "barriers/solvers/lista.hpp"

namespace barriers::impossibility::detail {

/// An exact column rounded to T from an enclosure 64 bits beyond T's precision.
template <class T>
Vector<T> round_column(const oracle::ExactMatrix& x) {
  const oracle::Enclosure e = oracle::enclose(x, long(number_traits<T>::precision_bits()) + 64);
  Vector<T> v(Eigen::Index(e.re.size()));
  for (std::size_t i = 0; i < e.re.size(); ++i) v(Eigen::Index(i)) = from_rational<T>(e.re[i].mid()).value;
  return v;
}

/// The exact values of a working-type vector.
template <class T>
std::vector<rational> exact_values(const Vector<T>& v) {
  std::vector<rational> out;
  out.reserve(std::size_t(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out.push_back(to_rational(v(i)));
  return out;
}

struct ListaPlan {
  std::size_t train = 1000, validation = 100, sparsity = 5;
  int epochs = 200, batch_size = 1000, layers = 10;
  ListaRate rate = ListaRate::scaled;
  std::uint64_t data_seed = 0, seed = 0;
  /// Called after every epoch with its number (empty: not called).
  std::function<void(int epoch)> on_epoch;
};

template <class T>
struct TrainedLista {
  std::shared_ptr<ListaNetwork<T>> net;
  int best_epoch = 0;
  double best_validation = 0;
  /// The kept network's gradient on the training set is exactly zero: every
  /// pre-activation sits at or inside its threshold, so training cannot move it.
  bool zero_gradient = false;
  oracle::QuerySummary queries;
};

/// The largest |entry| of X (0 for an empty or zero X), in the real type.
template <class T>
real_of<T> max_abs_entry(const Matrix<T>& X) {
  using std::abs;
  real_of<T> m(0);
  for (Eigen::Index c = 0; c < X.cols(); ++c)
    for (Eigen::Index r = 0; r < X.rows(); ++r) {
      const real_of<T> a = abs(X(r, c));
      if (a > m) m = a;
    }
  return m;
}

/// Trains LISTA on member j of the family: inputs y_{k,n} from the oracle
/// (nearest), targets the exact x_k rounded to T, A_n as the network's A.
template <class T>
TrainedLista<T> train_family_lista(const FamilyParams& p, std::size_t j, const ListaPlan& plan) {
  const std::size_t total = plan.train + plan.validation;
  const TrainingSamples samples = make_training_samples(p, j, total, plan.data_seed, plan.sparsity);
  oracle::TrainingSet ts(samples.data, {oracle::AnswerPolicy::nearest, plan.seed});
  const Matrix<T> A = oracle::to_working<T>(ts.matrix(p.n).value).value;
  Matrix<T> Y(A.rows(), Eigen::Index(total)), X(A.cols(), Eigen::Index(total));
  for (std::size_t k = 0; k < total; ++k) {
    Y.col(Eigen::Index(k)) = oracle::to_working<T>(ts.sample(k, p.n).value).value.col(0);
    X.col(Eigen::Index(k)) = round_column<T>(samples.x[k]);
  }
  const Eigen::Index R = Eigen::Index(plan.train), V = Eigen::Index(plan.validation);
  const Matrix<T> Yt = Y.leftCols(R), Xt = X.leftCols(R), Yv = Y.rightCols(V), Xv = X.rightCols(V);
  TrainedLista<T> out;
  out.queries = ts.summary();
  ListaInit<T> init;
  ListaTrainSettings<T> ls;
  if (plan.rate == ListaRate::scaled) {
    // Scale-free training: the targets have size c = max|x| (about 10^-K
    // here), every weight scales like c and every gradient like c. Initial
    // thresholds and Adam's guard are therefore taken relative to c (equal
    // to the absolute defaults at c = 1); absolute ones kill the network
    // once c falls below theta_max = 1e-7 (every pre-activation inside its
    // threshold: output 0, gradient 0, K >= 8) and stall Adam once the
    // gradients fall below its 1e-8 guard.
    const real_of<T> c = max_abs_entry<T>(Xt);
    if (c > 0) {
      init.theta_max = init.theta_max * c;
      ls.adam_epsilon = lista_default_adam_epsilon<T>() * c;
    }
  }
  out.net = std::make_shared<ListaNetwork<T>>(A, plan.layers, plan.seed + 17, init);
  ls.epochs = plan.epochs;
  ls.batch_size = plan.batch_size;
  ls.learning_rate = plan.rate == ListaRate::published
                         ? lista_published_learning_rate<T>(int(p.K))
                         : real_of<T>(2) / real_of<T>(15) / (10 * out.net->a_norm());
  ls.shuffle_seed = plan.seed;
  if (plan.on_epoch)
    ls.observer = [&plan](const ListaEpoch<T>& e) {
      if (e.epoch > 0) plan.on_epoch(e.epoch);
      return ListaObserverAction::proceed;
    };
  const ListaTrainResult<T> tr = lista_train(*out.net, Yt, Xt, Yv, Xv, ls);
  out.best_epoch = tr.best_epoch;
  out.best_validation = double(tr.best_validation_loss);
  const ListaGradient<T> g = out.net->gradient(Yt, Xt);
  out.zero_gradient = true;
  for (const Matrix<T>& w : g.W) out.zero_gradient = out.zero_gradient && max_abs_entry<T>(w) == 0;
  for (const real_of<T>& t : g.theta) out.zero_gradient = out.zero_gradient && t == 0;
  return out;
}

}  // namespace barriers::impossibility::detail
