// LISTA: the learned baseline of the Table-1 experiment (THEORY.md section 5).
//
// A LISTA network unrolls L steps of a learned ISTA: from x_0 = 0, layer i maps
//     x  <-  soft_{theta_i}( x + W_i^H (y - A x / s) ),    s = 10 ||A||_2,
// with W_i (m x N) and theta_i >= 0 trained and A (m x N) fixed and known. This
// header gives the network (forward pass, mean-squared-error loss, the exact
// gradient by backpropagation), its training (Adam, seeded mini-batches,
// best-validation selection, a per-epoch observer) and a text format that
// stores every weight exactly, at any precision. Everything is templated on the
// scalar type T and instantiated for double, long double, float128, mpfr_real
// and std::complex of each. Samples are the columns of the data matrices.
//
// Complex T (see docs/lista.md): A, W_i and the data are complex, W_i^H is the
// conjugate transpose (W_i^T for real T), the thresholds theta_i are real
// (real_of<T>) and soft_t(z) = max(|z| - t, 0) z / |z| shrinks the modulus and
// keeps the phase. The loss is real. Gradient convention: for a complex weight
// w the gradient is dL/dRe(w) + i dL/dIm(w) (= 2 dL/dconj(w)), so w -= lr g is
// steepest descent; theta gradients are real. Adam treats the real and
// imaginary parts of a complex weight as two independent real parameters.
#pragma once

#include <complex>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "barriers/precision/eigen_support.hpp"
#include "barriers/precision/types.hpp"
#include "barriers/solvers/solver_types.hpp"

namespace barriers {

namespace detail {
template <class T>
struct ListaAccess;  // lista_impl.hpp: lets training update the weights in place
}  // namespace detail

/// dLoss/dW_i and dLoss/dtheta_i, shaped like the network's weights. For
/// complex T each W entry is dL/dRe(w) + i dL/dIm(w); theta entries are real.
template <class T>
struct ListaGradient {
  std::vector<Matrix<T>> W;
  std::vector<real_of<T>> theta;
};

/// How a new network's weights are drawn. The defaults are THEORY.md's:
/// W_i entries N(0, 1) / (10 ||A||_2), theta_i uniform in [0, 1e-7). For
/// complex T the real and imaginary parts are each N(0, 1/2) / (10 ||A||_2),
/// so E|w|^2 is the same as in the real case.
/// Construct it inside the PrecisionGuard of the run (mpfr defaults are
/// rounded at the precision in force when the struct is made).
template <class T>
struct ListaInit {
  using Real = real_of<T>;
  /// ||A||_2 if known (e.g. exactly, for a structured A); otherwise the largest
  /// singular value is computed in T by Eigen's JacobiSVD.
  std::optional<Real> a_norm;
  /// Standard deviation of 10 ||A||_2 W entries (for complex T: the root of
  /// E|10 ||A||_2 w|^2). THEORY.md says 1; the published code's
  /// tf.random_normal_initializer() default is 0.05.
  Real weight_stddev = Real(1);
  Real theta_min = Real(0);
  Real theta_max = Real(1) / Real(10000000);
};

template <class T>
class ListaNetwork {
 public:
  using Real = real_of<T>;  ///< T itself for real T
  /// Random initialisation (see ListaInit) from std::mt19937_64(seed), through
  /// a mapping that does not depend on the standard library: 256-bit uniforms
  /// from the raw engine output, normals by the polar method in MPFR
  /// (correctly rounded log and sqrt), then one rounding to T. The same seed
  /// gives the same real draws in every type, so networks initialised in
  /// double and in MPFR agree to double precision. Draw order: layer by
  /// layer, W_i column by column (complex: real part, then imaginary part),
  /// then theta_i.
  /// Throws std::invalid_argument for layers < 1, an empty A, NaN/Inf in A,
  /// ||A||_2 not finite and > 0, weight_stddev < 0, or not
  /// 0 <= theta_min <= theta_max < inf.
  ListaNetwork(Matrix<T> A, int layers, std::uint64_t seed, const ListaInit<T>& init = {});

  /// Explicit weights: W.size() == theta.size() >= 1, each W_i m x N, every
  /// theta_i >= 0 and finite. Throws std::invalid_argument otherwise.
  ListaNetwork(Matrix<T> A, Real a_norm, std::vector<Matrix<T>> W, std::vector<Real> theta);

  int layers() const { return static_cast<int>(W_.size()); }
  Eigen::Index rows() const { return A_.rows(); }  ///< m: length of y
  Eigen::Index cols() const { return A_.cols(); }  ///< N: length of x

  const Matrix<T>& A() const { return A_; }
  const Real& a_norm() const { return a_norm_; }  ///< ||A||_2 as used (s = 10 a_norm)
  const std::vector<Matrix<T>>& W() const { return W_; }
  const std::vector<Real>& theta() const { return theta_; }

  /// Replace the trainable weights (same shapes; theta_i >= 0), e.g. to probe
  /// the loss in a finite-difference test. Throws std::invalid_argument.
  void set_weights(std::vector<Matrix<T>> W, std::vector<Real> theta);

  /// The network applied to one measurement y (length m).
  Vector<T> forward(const Vector<T>& y) const;
  /// The network applied to every column of Y (m x R); returns N x R.
  Matrix<T> forward(const Matrix<T>& Y) const;
  /// forward(Y), also keeping every layer's pre-threshold values z_i (N x R
  /// each, Z resized to layers()): the tape of a reverse-mode pass
  /// (stability/lista_gradient.hpp). The same computation, so the same bits.
  Matrix<T> forward(const Matrix<T>& Y, std::vector<Matrix<T>>& Z) const;
  /// A / (10 ||A||_2), rounded once, as forward and gradient use it.
  const Matrix<T>& A_scaled() const { return A_scaled_; }

  /// Mean squared error over all entries: ||X - F(Y)||_F^2 / (N R), the loss
  /// the published code minimises (Keras MeanSquaredError); |.|^2 of complex
  /// entries, so the loss is real.
  Real loss(const Matrix<T>& Y, const Matrix<T>& X) const;

  /// The exact gradient of loss(Y, X) by backpropagation (complex T: Wirtinger
  /// calculus, convention in the file comment); the loss itself is written to
  /// *loss_out when given. At a kink |z| = theta_i the soft threshold is taken
  /// to have derivative 0 in z and in theta (TensorFlow's relu'(0) = 0, so the
  /// published training does the same).
  ListaGradient<T> gradient(const Matrix<T>& Y, const Matrix<T>& X, Real* loss_out = nullptr) const;

 private:
  friend struct detail::ListaAccess<T>;

  Matrix<T> A_;
  Real a_norm_;
  Matrix<T> A_scaled_;  // A / (10 a_norm), rounded once; forward and gradient share it
  std::vector<Matrix<T>> W_;
  std::vector<Real> theta_;
};

/// Which validation number decides "best": the MSE the network is trained on,
/// or the published code's sum ||x_k - F(y_k)||^2 / sum ||x_k||^2.
enum class ListaValidationMetric { mse, relative_squared_error };

/// One epoch as reported to the observer and kept in the history.
template <class T>
struct ListaEpoch {
  int epoch = 0;                 ///< 1-based; 0 is the untrained network
  real_of<T> train_loss{};       ///< sample-weighted mean of the mini-batch MSEs seen during the epoch
  real_of<T> validation_loss{};  ///< after the epoch, in the chosen metric
  bool improved = false;
};

enum class ListaObserverAction { proceed, stop };

enum class ListaTermination {
  completed,            ///< every requested epoch ran
  stopped_by_observer,  ///< the observer returned stop
  non_finite_loss       ///< a loss or gradient became NaN or Inf; best weights kept
};

template <class T>
struct ListaTrainSettings {
  using Real = real_of<T>;
  int epochs = 4000;       ///< published: 4000
  int batch_size = 1000;   ///< published: 1000; a larger value means one full batch
  Real learning_rate = Real(2) / Real(10000);  ///< published: 2e-4 * 10^(-K/3)
  Real beta1 = Real(9) / Real(10);
  Real beta2 = Real(999) / Real(1000);
  /// Adam's denominator guard. Default: 1e-8 * sqrt(eps_T / eps_double), i.e.
  /// exactly 1e-8 in double and proportionally smaller at higher precision, so
  /// it stays a guard and does not cap the resolution of small gradients.
  std::optional<Real> adam_epsilon;
  bool shuffle = true;          ///< reshuffle the training set every epoch
  std::uint64_t shuffle_seed = 0;
  ListaValidationMetric validation_metric = ListaValidationMetric::mse;
  /// Called after every epoch (and once with epoch 0 for the untrained
  /// network); returning stop ends training with the best weights kept.
  std::function<ListaObserverAction(const ListaEpoch<T>&)> observer;
};

template <class T>
struct ListaTrainResult {
  std::vector<ListaEpoch<T>> history;  ///< history[0] is epoch 0 (untrained)
  int best_epoch = 0;                  ///< 0 when no epoch beat the untrained network
  real_of<T> best_validation_loss{};
  real_of<T> initial_validation_loss{};
  int epochs_run = 0;
  ListaTermination termination = ListaTermination::completed;
};

/// Adam's default guard for T (see ListaTrainSettings::adam_epsilon).
template <class T>
real_of<T> lista_default_adam_epsilon();

/// The published learning rate for accuracy level K: 2e-4 * 10^(-K/3), in
/// real_of<T>.
template <class T>
real_of<T> lista_published_learning_rate(int K);

/// Trains `net` in place on (Y_train, X_train) with mini-batch Adam, projecting
/// each theta_i onto [0, inf) after every step (the published code's relu
/// constraint). Complex weights: Adam runs on the real and imaginary parts as
/// independent real parameters (as PyTorch does for complex tensors), each
/// with its own first and second moments. On return `net` holds the weights
/// with the lowest validation loss seen (epoch 0, the untrained network,
/// included). Columns are samples:
/// Y_* is m x R, X_* is N x R. Throws std::invalid_argument for epochs < 1,
/// batch_size < 1, learning_rate <= 0 or NaN, beta outside [0, 1), adam
/// epsilon <= 0, empty or mismatched data, NaN/Inf in data.
template <class T>
ListaTrainResult<T> lista_train(ListaNetwork<T>& net, const Matrix<T>& Y_train,
                                const Matrix<T>& X_train, const Matrix<T>& Y_val,
                                const Matrix<T>& X_val, const ListaTrainSettings<T>& settings);

/// Text format: header (format, type name, precision in bits, sizes), then
/// ||A||_2, A, every W_i and theta_i, each number an exact hexadecimal
/// "[-]0x<hex integer>p<exponent>" (a C hex-float, so the value is exact in
/// any base-2 type). Complex T: the type name is "complex-<real type>" and a
/// complex entry is two such numbers, real part then imaginary part.
/// Throws std::invalid_argument for non-finite weights.
template <class T>
void lista_save(const ListaNetwork<T>& net, std::ostream& out);
template <class T>
void lista_save(const ListaNetwork<T>& net, const std::string& path);

/// Reads what lista_save wrote. Throws std::invalid_argument when the file is
/// for another type (including complex read as real and vice versa), or
/// (mpfr) needs more bits than the working precision;
/// std::runtime_error for a malformed or truncated file. Each message is one
/// sentence naming the offending item.
template <class T>
ListaNetwork<T> lista_load(std::istream& in);
template <class T>
ListaNetwork<T> lista_load(const std::string& path);

#define BARRIERS_X(T)                                                                          \
  extern template class ListaNetwork<T>;                                                     \
  extern template real_of<T> lista_default_adam_epsilon<T>();                                \
  extern template real_of<T> lista_published_learning_rate<T>(int);                          \
  extern template ListaTrainResult<T> lista_train<T>(ListaNetwork<T>&, const Matrix<T>&,     \
                                                     const Matrix<T>&, const Matrix<T>&,     \
                                                     const Matrix<T>&,                       \
                                                     const ListaTrainSettings<T>&);          \
  extern template void lista_save<T>(const ListaNetwork<T>&, std::ostream&);                 \
  extern template void lista_save<T>(const ListaNetwork<T>&, const std::string&);            \
  extern template ListaNetwork<T> lista_load<T>(std::istream&);                              \
  extern template ListaNetwork<T> lista_load<T>(const std::string&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
