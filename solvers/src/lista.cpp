// LISTA: network, backpropagation, Adam training and exact save/load.
//
// All template definitions live here and are instantiated at the bottom for
// the supported real types, so a change to LISTA recompiles one file and the
// users of the header do not pay for Eigen's SVD or the training loop.
#include "barriers/solvers/lista.hpp"

#include <gmp.h>
#include <mpfr.h>

#include <Eigen/SVD>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <istream>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "barriers/precision/convert.hpp"
#include "barriers/precision/traits.hpp"

namespace barriers {

// ---------------------------------------------------------------------------
// Small generic helpers
// ---------------------------------------------------------------------------
namespace {

template <class T>
bool finite(const T& x) {
  using std::isfinite;
  return isfinite(x);
}

template <class T>
bool negative_sign(const T& x) {
  using std::signbit;
  return signbit(x);
}

template <class T>
std::string show(const T& x) {
  if (x != x) return "NaN";
  std::ostringstream os;
  os << std::setprecision(17) << x;
  return os.str();
}

template <class T>
T soft(const T& z, const T& t) {
  if (z > t) return z - t;
  if (z < -t) return z + t;
  return T(0);
}

// First non-finite entry of M, reported as "<name>(i, j) is <value>".
template <class T>
void require_finite(const Matrix<T>& M, const std::string& name) {
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    for (Eigen::Index i = 0; i < M.rows(); ++i)
      if (!finite(M(i, j)))
        throw std::invalid_argument(name + "(" + std::to_string(i) + ", " + std::to_string(j) +
                                    ") is " + show(M(i, j)) + "; every entry must be finite");
}

std::string shape(Eigen::Index r, Eigen::Index c) {
  return std::to_string(r) + " x " + std::to_string(c);
}

// Largest singular value in T. JacobiSVD because it is accurate to the working
// precision for any matrix (power iteration stalls when the top singular values
// cluster, as they do for the Table-1 matrices, where all are equal).
template <class T>
T spectral_norm(const Matrix<T>& A) {
  Eigen::JacobiSVD<Matrix<T>> svd(A);
  return svd.singularValues()(0);
}

// ---------------------------------------------------------------------------
// Portable random numbers. std::normal_distribution (and even
// std::uniform_int_distribution) differ between standard libraries; these
// mappings use only the raw 64-bit output of std::mt19937_64, exact integer
// arithmetic and MPFR's correctly rounded log and sqrt, so the same seed gives
// the same bits everywhere.
// ---------------------------------------------------------------------------

// Unbiased integer in [0, n), n >= 1, by rejection of the short top range.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    const std::uint64_t x = rng();
    if (x >= reject_below) return x % n;
  }
}

class PortableRandom {
 public:
  // Every uniform carries 256 random bits whatever the target type, so a seed
  // gives the same real numbers in every type (each rounds them to its own
  // precision): networks initialised in double and in MPFR start from the
  // same point. `bits` is the target precision; the normals are computed with
  // 64 guard bits beyond it (and never fewer than 320).
  PortableRandom(std::uint64_t seed, unsigned bits)
      : rng_(seed), words_(4), prec_(mpfr_prec_t(std::max(64u * 4 + 64, bits + 64))) {
    mpz_init(z_);
    for (mpfr_t* v : {&u_, &v_, &s_, &f_, &spare_}) mpfr_init2(*v, prec_);
  }
  ~PortableRandom() {
    mpz_clear(z_);
    for (mpfr_t* v : {&u_, &v_, &s_, &f_, &spare_}) mpfr_clear(*v);
  }
  PortableRandom(const PortableRandom&) = delete;
  PortableRandom& operator=(const PortableRandom&) = delete;

  // Uniform on [0, 1): the next `words_` raw outputs are its binary digits.
  rational uniform() {
    next_integer();
    rational q;
    mpq_set_z(q.backend().data(), z_);
    mpq_div_2exp(q.backend().data(), q.backend().data(), 64 * words_);
    return q;
  }

  // Standard normal by Marsaglia's polar method, both variates of a pair
  // used in order.
  rational normal() {
    rational out;
    if (have_spare_) {
      mpfr_get_q(out.backend().data(), spare_);
      have_spare_ = false;
      return out;
    }
    for (;;) {
      signed_unit(u_);
      signed_unit(v_);
      mpfr_sqr(s_, u_, MPFR_RNDN);
      mpfr_fma(s_, v_, v_, s_, MPFR_RNDN);
      if (mpfr_zero_p(s_) || mpfr_cmp_ui(s_, 1) >= 0) continue;
      mpfr_log(f_, s_, MPFR_RNDN);  // f = sqrt(-2 log(s) / s)
      mpfr_mul_si(f_, f_, -2, MPFR_RNDN);
      mpfr_div(f_, f_, s_, MPFR_RNDN);
      mpfr_sqrt(f_, f_, MPFR_RNDN);
      mpfr_mul(spare_, v_, f_, MPFR_RNDN);
      mpfr_mul(u_, u_, f_, MPFR_RNDN);
      have_spare_ = true;
      mpfr_get_q(out.backend().data(), u_);
      return out;
    }
  }

 private:
  void next_integer() {
    mpz_set_ui(z_, 0);
    for (unsigned k = 0; k < words_; ++k) {
      const std::uint64_t w = rng_();
      mpz_mul_2exp(z_, z_, 32);
      mpz_add_ui(z_, z_, static_cast<unsigned long>(w >> 32));
      mpz_mul_2exp(z_, z_, 32);
      mpz_add_ui(z_, z_, static_cast<unsigned long>(w & 0xffffffffu));
    }
  }
  // 2 U - 1 on [-1, 1), exact at precision prec_ (U has 64 words_ bits).
  void signed_unit(mpfr_t out) {
    next_integer();
    mpfr_set_z_2exp(out, z_, -long(64 * words_) + 1, MPFR_RNDN);
    mpfr_sub_ui(out, out, 1, MPFR_RNDN);
  }

  std::mt19937_64 rng_;
  unsigned words_;
  mpfr_prec_t prec_;
  mpz_t z_;
  mpfr_t u_, v_, s_, f_, spare_;
  bool have_spare_ = false;
};

template <class T>
T to_type(const rational& q) {
  return from_rational<T>(q).value;
}

}  // namespace

// ---------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------
namespace detail {
template <class T>
struct ListaAccess {
  static std::vector<Matrix<T>>& W(ListaNetwork<T>& n) { return n.W_; }
  static std::vector<T>& theta(ListaNetwork<T>& n) { return n.theta_; }
  static const Matrix<T>& A_scaled(const ListaNetwork<T>& n) { return n.A_scaled_; }
};
}  // namespace detail

namespace {

template <class T>
void check_A(const Matrix<T>& A) {
  if (A.rows() < 1 || A.cols() < 1)
    throw std::invalid_argument("A is " + shape(A.rows(), A.cols()) +
                                "; LISTA needs at least one row and one column");
  require_finite(A, "A");
}

template <class T>
void check_a_norm(const T& a_norm) {
  if (!(a_norm > 0) || !finite(a_norm))
    throw std::invalid_argument("||A||_2 = " + show(a_norm) +
                                "; it must be finite and > 0 (A must not be zero)");
}

template <class T>
void check_weights(const std::vector<Matrix<T>>& W, const std::vector<T>& theta, Eigen::Index m,
                   Eigen::Index N) {
  if (W.empty())
    throw std::invalid_argument("a LISTA network has 0 layers; it needs at least 1");
  if (W.size() != theta.size())
    throw std::invalid_argument("there are " + std::to_string(W.size()) + " weight matrices but " +
                                std::to_string(theta.size()) + " thresholds; they must match");
  for (std::size_t i = 0; i < W.size(); ++i) {
    if (W[i].rows() != m || W[i].cols() != N)
      throw std::invalid_argument("W_" + std::to_string(i) + " is " +
                                  shape(W[i].rows(), W[i].cols()) + "; it must be " + shape(m, N) +
                                  " like A");
    require_finite(W[i], "W_" + std::to_string(i));
    if (!finite(theta[i]) || !(theta[i] >= 0))
      throw std::invalid_argument("theta_" + std::to_string(i) + " = " + show(theta[i]) +
                                  "; thresholds must be finite and >= 0");
  }
}

template <class T>
void random_weights(Eigen::Index m, Eigen::Index N, int layers, const T& a_norm,
                    std::uint64_t seed, const ListaInit<T>& init, std::vector<Matrix<T>>& W,
                    std::vector<T>& theta) {
  if (layers < 1)
    throw std::invalid_argument("layers = " + std::to_string(layers) + "; it must be >= 1");
  if (!finite(init.weight_stddev) || !(init.weight_stddev >= 0))
    throw std::invalid_argument("weight_stddev = " + show(init.weight_stddev) +
                                "; it must be finite and >= 0");
  if (!finite(init.theta_min) || !finite(init.theta_max) || !(init.theta_min >= 0) ||
      !(init.theta_max >= init.theta_min))
    throw std::invalid_argument("theta range [" + show(init.theta_min) + ", " +
                                show(init.theta_max) + "]; it must satisfy 0 <= min <= max < inf");
  const T ten_a = T(10) * a_norm;
  const T width = init.theta_max - init.theta_min;
  PortableRandom rnd(seed, number_traits<T>::precision_bits());
  W.assign(layers, Matrix<T>());
  theta.assign(layers, T(0));
  for (int i = 0; i < layers; ++i) {
    W[i].resize(m, N);
    for (Eigen::Index c = 0; c < N; ++c)
      for (Eigen::Index r = 0; r < m; ++r) W[i](r, c) = to_type<T>(rnd.normal()) * init.weight_stddev / ten_a;
    theta[i] = init.theta_min + to_type<T>(rnd.uniform()) * width;
  }
}

}  // namespace

template <class T>
ListaNetwork<T>::ListaNetwork(Matrix<T> A, int layers, std::uint64_t seed, const ListaInit<T>& init)
    : A_(std::move(A)) {
  check_A(A_);
  a_norm_ = init.a_norm ? *init.a_norm : spectral_norm(A_);
  check_a_norm(a_norm_);
  A_scaled_ = A_ / (T(10) * a_norm_);
  random_weights(A_.rows(), A_.cols(), layers, a_norm_, seed, init, W_, theta_);
}

template <class T>
ListaNetwork<T>::ListaNetwork(Matrix<T> A, T a_norm, std::vector<Matrix<T>> W, std::vector<T> theta)
    : A_(std::move(A)), a_norm_(std::move(a_norm)) {
  check_A(A_);
  check_a_norm(a_norm_);
  check_weights(W, theta, A_.rows(), A_.cols());
  A_scaled_ = A_ / (T(10) * a_norm_);
  W_ = std::move(W);
  theta_ = std::move(theta);
}

template <class T>
void ListaNetwork<T>::set_weights(std::vector<Matrix<T>> W, std::vector<T> theta) {
  check_weights(W, theta, A_.rows(), A_.cols());
  W_ = std::move(W);
  theta_ = std::move(theta);
}

namespace {

template <class T>
void check_batch(const ListaNetwork<T>& net, const Matrix<T>& Y, const Matrix<T>* X,
                 const std::string& yname, const std::string& xname) {
  if (Y.rows() != net.rows())
    throw std::invalid_argument(yname + " has " + std::to_string(Y.rows()) +
                                " rows; it must have m = " + std::to_string(net.rows()) +
                                " (the rows of A), one sample per column");
  require_finite(Y, yname);
  if (!X) return;
  if (X->rows() != net.cols() || X->cols() != Y.cols())
    throw std::invalid_argument(xname + " is " + shape(X->rows(), X->cols()) + "; it must be " +
                                shape(net.cols(), Y.cols()) + " (N = columns of A, one target per column of " +
                                yname + ")");
  if (Y.cols() < 1)
    throw std::invalid_argument(yname + " has 0 samples; at least 1 is needed");
  require_finite(*X, xname);
}

// C += op(A) op(B) (or -=), op = identity or transpose. Builtin types go to
// Eigen's vectorised products. For the Boost types Eigen's generic kernel
// spends most of its time constructing temporaries (about 150x double for
// float128, 600x for 128-bit MPFR on the Table-1 sizes), so they use plain
// loops with an in-place multiply-add (MPFR: one fused, correctly rounded fma,
// no allocation).
template <class T>
inline void madd(T& acc, const T& a, const T& b) {
  if constexpr (std::is_same_v<T, mpfr_real>)
    mpfr_fma(acc.backend().data(), a.backend().data(), b.backend().data(), acc.backend().data(),
             MPFR_RNDN);
  else
    acc += a * b;
}

template <class T>
void product_add(Matrix<T>& C, const Matrix<T>& A, bool tA, const Matrix<T>& B, bool tB,
                 bool subtract) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!tA && !tB) {
      if (subtract) C.noalias() -= A * B; else C.noalias() += A * B;
    } else if (tA && !tB) {
      if (subtract) C.noalias() -= A.transpose() * B; else C.noalias() += A.transpose() * B;
    } else if (!tA && tB) {
      if (subtract) C.noalias() -= A * B.transpose(); else C.noalias() += A * B.transpose();
    } else {
      throw std::logic_error("product_add: op(A) = A^T with op(B) = B^T is not used");
    }
  } else {
    const Eigen::Index rows = C.rows(), cols = C.cols();
    if (tA && tB) throw std::logic_error("product_add: op(A) = A^T with op(B) = B^T is not used");
    if (tA) {  // C(i, j) += dot(A.col(i), B.col(j)): contiguous columns
      T acc;
      for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i) {
          acc = T(0);
          for (Eigen::Index k = 0; k < A.rows(); ++k) madd(acc, A(k, i), B(k, j));
          if (subtract) C(i, j) -= acc; else C(i, j) += acc;
        }
      return;
    }
    // C.col(j) += A.col(k) b_kj with b_kj = B(k, j) or B(j, k): axpy on columns.
    // Zero b_kj are skipped: the thresholded iterates x and the masked
    // backpropagated dZ are mostly zero, and a * 0 adds nothing.
    const Eigen::Index inner = A.cols();
    T b;
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index k = 0; k < inner; ++k) {
        const T& bkj = tB ? B(j, k) : B(k, j);
        if (bkj == 0) continue;
        b = subtract ? T(-bkj) : bkj;
        for (Eigen::Index i = 0; i < rows; ++i) madd(C(i, j), A(i, k), b);
      }
  }
}

// The forward pass, keeping what backpropagation needs when `Rs`/`Zs` are given:
// the residual R_i = Y - A x_{i-1} / s and the pre-threshold Z_i of each layer.
template <class T>
Matrix<T> forward_pass(const std::vector<Matrix<T>>& W, const std::vector<T>& theta,
                       const Matrix<T>& As, const Matrix<T>& Y, std::vector<Matrix<T>>* Rs,
                       std::vector<Matrix<T>>* Zs) {
  const Eigen::Index N = As.cols(), R = Y.cols();
  Matrix<T> x = Matrix<T>::Zero(N, R);
  Matrix<T> r, z;
  for (std::size_t i = 0; i < W.size(); ++i) {
    r = Y;
    product_add(r, As, false, x, false, true);  // r = Y - As x
    z = x;
    product_add(z, W[i], true, r, false, false);  // z = x + W_i^T r
    for (Eigen::Index c = 0; c < R; ++c)
      for (Eigen::Index k = 0; k < N; ++k) x(k, c) = soft(z(k, c), theta[i]);
    if (Rs) (*Rs)[i] = r;
    if (Zs) (*Zs)[i] = z;
  }
  return x;
}

template <class T>
T mse(const Matrix<T>& F, const Matrix<T>& X) {
  return (F - X).squaredNorm() / T(static_cast<double>(X.rows() * X.cols()));
}

// Gradient of the MSE by reverse-mode differentiation of forward_pass.
//   loss = ||x_L - X||^2 / (N R),  G_L = 2 (x_L - X) / (N R)
//   x_i = soft(Z_i, theta_i):  dZ_i = G_i on |Z| > theta_i, else 0
//                               dtheta_i = -sum sign(Z_i) G_i over |Z| > theta_i
//   Z_i = x_{i-1} + W_i^T R_i:  dW_i = R_i dZ_i^T
//   R_i = Y - As x_{i-1}:       G_{i-1} = dZ_i - As^T (W_i dZ_i)
template <class T>
ListaGradient<T> backprop(const std::vector<Matrix<T>>& W, const std::vector<T>& theta,
                          const Matrix<T>& As, const Matrix<T>& Y, const Matrix<T>& X,
                          T* loss_out) {
  const std::size_t L = W.size();
  std::vector<Matrix<T>> Rs(L), Zs(L);
  Matrix<T> G = forward_pass<T>(W, theta, As, Y, &Rs, &Zs);
  G -= X;
  const T count = T(static_cast<double>(X.rows() * X.cols()));
  if (loss_out) *loss_out = G.squaredNorm() / count;
  G *= T(2) / count;

  ListaGradient<T> g;
  g.W.resize(L);
  g.theta.assign(L, T(0));
  for (std::size_t i = L; i-- > 0;) {
    const Matrix<T>& Z = Zs[i];
    T dtheta(0);
    for (Eigen::Index c = 0; c < Z.cols(); ++c)
      for (Eigen::Index k = 0; k < Z.rows(); ++k) {
        const T& z = Z(k, c);
        if (z > theta[i])
          dtheta -= G(k, c);
        else if (z < -theta[i])
          dtheta += G(k, c);
        else
          G(k, c) = T(0);  // at or inside the kink: derivative 0 (TensorFlow's relu'(0) = 0)
      }
    g.theta[i] = dtheta;
    g.W[i] = Matrix<T>::Zero(Rs[i].rows(), G.rows());
    product_add(g.W[i], Rs[i], false, G, true, false);  // dW_i = R_i dZ_i^T
    if (i > 0) {
      Matrix<T> WG = Matrix<T>::Zero(W[i].rows(), G.cols());
      product_add(WG, W[i], false, G, false, false);
      product_add(G, As, true, WG, false, true);  // G -= As^T (W_i dZ_i)
    }
  }
  return g;
}

}  // namespace

template <class T>
Matrix<T> ListaNetwork<T>::forward(const Matrix<T>& Y) const {
  check_batch<T>(*this, Y, nullptr, "Y", "");
  return forward_pass<T>(W_, theta_, A_scaled_, Y, nullptr, nullptr);
}

template <class T>
Vector<T> ListaNetwork<T>::forward(const Vector<T>& y) const {
  const Matrix<T> Y = y;
  return forward(Y).col(0);
}

template <class T>
T ListaNetwork<T>::loss(const Matrix<T>& Y, const Matrix<T>& X) const {
  check_batch<T>(*this, Y, &X, "Y", "X");
  return mse(forward_pass<T>(W_, theta_, A_scaled_, Y, nullptr, nullptr), X);
}

template <class T>
ListaGradient<T> ListaNetwork<T>::gradient(const Matrix<T>& Y, const Matrix<T>& X, T* loss_out) const {
  check_batch<T>(*this, Y, &X, "Y", "X");
  return backprop(W_, theta_, A_scaled_, Y, X, loss_out);
}

// ---------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------
template <class T>
T lista_default_adam_epsilon() {
  using std::ldexp;
  using std::sqrt;
  // eps_T / eps_double is a power of two (2^52 eps_T); its square root is exact
  // when the exponent is even and correctly rounded otherwise.
  const T ratio = ldexp(number_traits<T>::epsilon(), 52);
  return T(1) / T(100000000) * sqrt(ratio);
}

template <class T>
T lista_published_learning_rate(int K) {
  using std::pow;
  return T(2) / T(10000) * T(pow(T(10), T(-K) / T(3)));
}

namespace {

template <class T>
void check_settings(const ListaTrainSettings<T>& s, const T& eps) {
  if (s.epochs < 1)
    throw std::invalid_argument("epochs = " + std::to_string(s.epochs) + "; it must be >= 1");
  if (s.batch_size < 1)
    throw std::invalid_argument("batch_size = " + std::to_string(s.batch_size) + "; it must be >= 1");
  if (!(s.learning_rate > 0) || !finite(s.learning_rate))
    throw std::invalid_argument("learning_rate = " + show(s.learning_rate) +
                                "; it must be finite and > 0");
  if (!(s.beta1 >= 0 && s.beta1 < 1))
    throw std::invalid_argument("beta1 = " + show(s.beta1) + "; it must lie in [0, 1)");
  if (!(s.beta2 >= 0 && s.beta2 < 1))
    throw std::invalid_argument("beta2 = " + show(s.beta2) + "; it must lie in [0, 1)");
  if (!(eps > 0) || !finite(eps))
    throw std::invalid_argument("adam_epsilon = " + show(eps) + "; it must be finite and > 0");
}

template <class T>
bool all_finite(const ListaGradient<T>& g) {
  for (const auto& M : g.W)
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      for (Eigen::Index i = 0; i < M.rows(); ++i)
        if (!finite(M(i, j))) return false;
  for (const auto& t : g.theta)
    if (!finite(t)) return false;
  return true;
}

// Adam (Kingma & Ba, with bias correction) on one parameter.
template <class T>
void adam_update(T& p, const T& g, T& m, T& v, const T& b1, const T& b2, const T& c1,
                 const T& c2, const T& lr, const T& eps) {
  using std::sqrt;
  m = b1 * m + (T(1) - b1) * g;
  v = b2 * v + (T(1) - b2) * (g * g);
  p -= lr * (m / c1) / (sqrt(v / c2) + eps);
}

}  // namespace

template <class T>
ListaTrainResult<T> lista_train(ListaNetwork<T>& net, const Matrix<T>& Y_train,
                                const Matrix<T>& X_train, const Matrix<T>& Y_val,
                                const Matrix<T>& X_val, const ListaTrainSettings<T>& settings) {
  using Access = detail::ListaAccess<T>;
  const T eps = settings.adam_epsilon ? *settings.adam_epsilon : lista_default_adam_epsilon<T>();
  check_settings(settings, eps);
  check_batch<T>(net, Y_train, &X_train, "Y_train", "X_train");
  check_batch<T>(net, Y_val, &X_val, "Y_val", "X_val");
  const bool relative = settings.validation_metric == ListaValidationMetric::relative_squared_error;
  const T val_norm2 = X_val.squaredNorm();
  if (relative && !(val_norm2 > 0))
    throw std::invalid_argument(
        "X_val is all zero; the relative_squared_error validation metric needs a nonzero target");

  std::vector<Matrix<T>>& W = Access::W(net);
  std::vector<T>& theta = Access::theta(net);
  const Matrix<T>& As = Access::A_scaled(net);
  const std::size_t L = W.size();

  auto validate = [&]() {
    const Matrix<T> F = forward_pass<T>(W, theta, As, Y_val, nullptr, nullptr);
    return relative ? T((F - X_val).squaredNorm() / val_norm2) : mse(F, X_val);
  };

  ListaTrainResult<T> result;
  result.initial_validation_loss = validate();
  result.best_validation_loss = result.initial_validation_loss;
  result.best_epoch = 0;
  std::vector<Matrix<T>> best_W = W;
  std::vector<T> best_theta = theta;
  {
    ListaEpoch<T> e0;
    e0.epoch = 0;
    e0.train_loss = mse(forward_pass<T>(W, theta, As, Y_train, nullptr, nullptr), X_train);
    e0.validation_loss = result.initial_validation_loss;
    result.history.push_back(e0);
    if (settings.observer && settings.observer(e0) == ListaObserverAction::stop) {
      result.termination = ListaTermination::stopped_by_observer;
      return result;
    }
  }

  // Adam state, shaped like the weights.
  std::vector<Matrix<T>> mW(L), vW(L);
  for (std::size_t i = 0; i < L; ++i) {
    mW[i] = Matrix<T>::Zero(W[i].rows(), W[i].cols());
    vW[i] = mW[i];
  }
  std::vector<T> mt(L, T(0)), vt(L, T(0));
  T b1_power(1), b2_power(1);

  const Eigen::Index R = Y_train.cols();
  const Eigen::Index batch = std::min<Eigen::Index>(settings.batch_size, R);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(R));
  for (Eigen::Index k = 0; k < R; ++k) order[k] = k;
  std::mt19937_64 shuffle_rng(settings.shuffle_seed);
  Matrix<T> Yb, Xb;

  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    if (settings.shuffle)
      for (std::size_t k = order.size(); k-- > 1;)
        std::swap(order[k], order[uniform_below(shuffle_rng, k + 1)]);

    T loss_sum(0);
    bool broken = false;
    for (Eigen::Index start = 0; start < R; start += batch) {
      const Eigen::Index cnt = std::min(batch, R - start);
      Yb.resize(Y_train.rows(), cnt);
      Xb.resize(X_train.rows(), cnt);
      for (Eigen::Index c = 0; c < cnt; ++c) {
        Yb.col(c) = Y_train.col(order[start + c]);
        Xb.col(c) = X_train.col(order[start + c]);
      }
      T batch_loss;
      const ListaGradient<T> g = backprop(W, theta, As, Yb, Xb, &batch_loss);
      if (!finite(batch_loss) || !all_finite(g)) {
        broken = true;
        break;
      }
      loss_sum += batch_loss * T(static_cast<double>(cnt));

      b1_power *= settings.beta1;
      b2_power *= settings.beta2;
      const T c1 = T(1) - b1_power, c2 = T(1) - b2_power;
      for (std::size_t i = 0; i < L; ++i) {
        for (Eigen::Index j = 0; j < W[i].cols(); ++j)
          for (Eigen::Index k = 0; k < W[i].rows(); ++k)
            adam_update(W[i](k, j), g.W[i](k, j), mW[i](k, j), vW[i](k, j), settings.beta1,
                        settings.beta2, c1, c2, settings.learning_rate, eps);
        adam_update(theta[i], g.theta[i], mt[i], vt[i], settings.beta1, settings.beta2, c1, c2,
                    settings.learning_rate, eps);
        if (!(theta[i] > 0)) theta[i] = T(0);  // projection onto theta >= 0 (also clears -0)
      }
    }
    if (broken) {
      result.termination = ListaTermination::non_finite_loss;
      break;
    }

    ListaEpoch<T> e;
    e.epoch = epoch;
    e.train_loss = loss_sum / T(static_cast<double>(R));
    e.validation_loss = validate();
    result.epochs_run = epoch;
    if (!finite(e.validation_loss)) {
      result.history.push_back(e);
      result.termination = ListaTermination::non_finite_loss;
      break;
    }
    e.improved = e.validation_loss < result.best_validation_loss;
    if (e.improved) {
      result.best_validation_loss = e.validation_loss;
      result.best_epoch = epoch;
      best_W = W;
      best_theta = theta;
    }
    result.history.push_back(e);
    if (settings.observer && settings.observer(e) == ListaObserverAction::stop) {
      result.termination = ListaTermination::stopped_by_observer;
      break;
    }
  }
  W = std::move(best_W);
  theta = std::move(best_theta);
  return result;
}

// ---------------------------------------------------------------------------
// Save / load
// ---------------------------------------------------------------------------
namespace {

constexpr const char* kMagic = "barriers-lista";
constexpr int kFormatVersion = 1;
constexpr long kMaxExponent = 1L << 30;  // beyond any type's range; bounds memory on bad input

// x exactly, as [-]0x<hex integer>p<exponent>: x = +-(integer) 2^exponent with
// an odd integer (or 0). The sign is written separately so -0 survives.
template <class T>
std::string encode(const T& x, const std::string& what) {
  if (!finite(x))
    throw std::invalid_argument(what + " is " + show(x) + "; only finite weights can be saved");
  const bool neg = negative_sign(x);
  rational q = to_rational(neg ? T(-x) : x);
  if (q == 0) return neg ? "-0x0p+0" : "0x0p+0";
  mpz_srcptr num = mpq_numref(q.backend().data());
  mpz_srcptr den = mpq_denref(q.backend().data());
  // den is 2^k (binary floating point); shift the numerator's trailing zeros
  // into the exponent so each value has one spelling.
  const long k = static_cast<long>(mpz_scan1(den, 0));
  const long tz = static_cast<long>(mpz_scan1(num, 0));
  mpz_t odd;
  mpz_init(odd);
  mpz_fdiv_q_2exp(odd, num, static_cast<mp_bitcnt_t>(tz));
  std::string hex(mpz_sizeinbase(odd, 16) + 2, '\0');
  mpz_get_str(hex.data(), 16, odd);
  mpz_clear(odd);
  hex.resize(std::char_traits<char>::length(hex.c_str()));
  const long e = tz - k;
  return std::string(neg ? "-" : "") + "0x" + hex + "p" + (e >= 0 ? "+" : "") + std::to_string(e);
}

[[noreturn]] void malformed(const std::string& msg) {
  throw std::runtime_error("malformed LISTA file: " + msg);
}

template <class T>
T decode(const std::string& s, const std::string& what) {
  std::size_t p = 0;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg) ++p;
  const std::size_t hex_begin = p + 2;
  const std::size_t pp = s.find('p', hex_begin);
  auto bad = [&]() {
    malformed(what + " is '" + s.substr(0, 60) + "', not a hexadecimal number [-]0x<hex>p<exponent>");
  };
  if (s.compare(p, 2, "0x") != 0 || pp == std::string::npos || pp == hex_begin) bad();
  const std::string hex = s.substr(hex_begin, pp - hex_begin);
  for (char c : hex)
    if (!std::isxdigit(static_cast<unsigned char>(c))) bad();
  long e = 0;
  const char* eb = s.data() + pp + 1;
  const char* ee = s.data() + s.size();
  if (eb < ee && *eb == '+') ++eb;
  const auto [ptr, ec] = std::from_chars(eb, ee, e);
  if (eb == ee || ec != std::errc() || ptr != ee) bad();
  if (e > kMaxExponent || e < -kMaxExponent)
    malformed(what + " has exponent " + std::to_string(e) + ", outside any supported range");

  rational q;
  mpq_ptr Q = q.backend().data();
  if (mpz_set_str(mpq_numref(Q), hex.c_str(), 16) != 0) bad();
  mpz_set_ui(mpq_denref(Q), 1);
  if (e >= 0)
    mpq_mul_2exp(Q, Q, static_cast<mp_bitcnt_t>(e));
  else
    mpq_div_2exp(Q, Q, static_cast<mp_bitcnt_t>(-e));
  Rounded<T> r;
  try {
    r = from_rational<T>(q);
  } catch (const std::overflow_error&) {
    throw std::invalid_argument(what + " = " + s.substr(0, 60) + " is outside the range of " +
                                describe_type<T>());
  }
  if (!r.exact)
    throw std::invalid_argument(what + " = " + s.substr(0, 60) + " is not representable in " +
                                describe_type<T>() + "; load it with more precision");
  return neg ? T(-r.value) : r.value;
}

class Reader {
 public:
  explicit Reader(std::istream& in) : in_(in) {}
  std::string token(const std::string& expecting) {
    std::string t;
    if (!(in_ >> t)) malformed("it ends where " + expecting + " was expected");
    return t;
  }
  void keyword(const std::string& k) {
    const std::string t = token("'" + k + "'");
    if (t != k) malformed("expected '" + k + "' but found '" + t.substr(0, 60) + "'");
  }
  long integer(const std::string& what, long lo, long hi) {
    const std::string t = token(what);
    long v = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || v < lo || v > hi)
      malformed(what + " is '" + t.substr(0, 60) + "'; expected an integer in [" + std::to_string(lo) +
                ", " + std::to_string(hi) + "]");
    return v;
  }
  template <class T>
  T number(const std::string& what) {
    return decode<T>(token(what), what);
  }

 private:
  std::istream& in_;
};

template <class T>
void write_matrix(std::ostream& out, const Matrix<T>& M, const std::string& name) {
  for (Eigen::Index i = 0; i < M.rows(); ++i) {
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      out << (j ? " " : "")
          << encode(M(i, j), name + "(" + std::to_string(i) + ", " + std::to_string(j) + ")");
    out << '\n';
  }
}

template <class T>
Matrix<T> read_matrix(Reader& rd, Eigen::Index m, Eigen::Index n, const std::string& name) {
  Matrix<T> M(m, n);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      M(i, j) = rd.number<T>(name + "(" + std::to_string(i) + ", " + std::to_string(j) + ")");
  return M;
}

// The precision the stored values need. For MPFR that is the largest
// precision among the values themselves (the network may have been built
// under a different PrecisionGuard than the one in force while saving).
template <class T>
unsigned stored_precision_bits(const ListaNetwork<T>& net) {
  if constexpr (number_traits<T>::runtime_precision) {
    mpfr_prec_t p = mpfr_get_prec(net.a_norm().backend().data());
    auto see = [&](const T& x) { p = std::max(p, mpfr_get_prec(x.backend().data())); };
    for (Eigen::Index j = 0; j < net.cols(); ++j)
      for (Eigen::Index i = 0; i < net.rows(); ++i) see(net.A()(i, j));
    for (int l = 0; l < net.layers(); ++l) {
      see(net.theta()[l]);
      for (Eigen::Index j = 0; j < net.cols(); ++j)
        for (Eigen::Index i = 0; i < net.rows(); ++i) see(net.W()[l](i, j));
    }
    return static_cast<unsigned>(p);
  } else {
    return number_traits<T>::precision_bits();
  }
}

}  // namespace

template <class T>
void lista_save(const ListaNetwork<T>& net, std::ostream& out) {
  out << kMagic << ' ' << kFormatVersion << '\n'
      << "type " << number_traits<T>::name() << '\n'
      << "precision_bits " << stored_precision_bits(net) << '\n'
      << "layers " << net.layers() << '\n'
      << "rows " << net.rows() << '\n'
      << "cols " << net.cols() << '\n'
      << "a_norm " << encode(net.a_norm(), "||A||_2") << '\n'
      << "A\n";
  write_matrix(out, net.A(), "A");
  for (int i = 0; i < net.layers(); ++i) {
    out << "W " << i << '\n';
    write_matrix(out, net.W()[i], "W_" + std::to_string(i));
  }
  out << "theta\n";
  for (int i = 0; i < net.layers(); ++i)
    out << (i ? " " : "") << encode(net.theta()[i], "theta_" + std::to_string(i));
  out << "\nend\n";
  if (!out) throw std::runtime_error("writing the LISTA network failed");
}

template <class T>
void lista_save(const ListaNetwork<T>& net, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot open '" + path + "' for writing");
  lista_save(net, out);
  out.close();
  if (!out) throw std::runtime_error("writing '" + path + "' failed");
}

template <class T>
ListaNetwork<T> lista_load(std::istream& in) {
  Reader rd(in);
  const std::string magic = rd.token("the header '" + std::string(kMagic) + "'");
  if (magic != kMagic)
    malformed("it starts with '" + magic.substr(0, 60) + "' instead of '" + kMagic + "'");
  const long version = rd.integer("the format version", 0, 1000000);
  if (version != kFormatVersion)
    malformed("format version " + std::to_string(version) + " is not supported (this build reads " +
              std::to_string(kFormatVersion) + ")");
  rd.keyword("type");
  const std::string type = rd.token("the type name");
  rd.keyword("precision_bits");
  const long bits = rd.integer("precision_bits", 1, 1L << 30);
  const std::string want = number_traits<T>::name();
  if (type != want)
    throw std::invalid_argument("the file holds a LISTA network of type '" + type.substr(0, 60) +
                                "' but it is being loaded as '" + want + "'");
  const long have = static_cast<long>(number_traits<T>::precision_bits());
  if constexpr (number_traits<T>::runtime_precision) {
    if (bits > have)
      throw std::invalid_argument("the file was saved at " + std::to_string(bits) +
                                  " bits but the working precision is " + std::to_string(have) +
                                  " bits; load it inside a PrecisionGuard of at least " +
                                  std::to_string(bits) + " bits");
  } else if (bits != have) {
    throw std::invalid_argument("the file says type '" + type + "' has " + std::to_string(bits) +
                                " bits of precision but this build's has " + std::to_string(have));
  }
  rd.keyword("layers");
  const long L = rd.integer("layers", 1, 1L << 20);
  rd.keyword("rows");
  const long m = rd.integer("rows", 1, 1L << 24);
  rd.keyword("cols");
  const long N = rd.integer("cols", 1, 1L << 24);
  if (static_cast<double>(L + 1) * static_cast<double>(m) * static_cast<double>(N) > 1e9)
    malformed("its sizes (" + std::to_string(L) + " layers of " + shape(m, N) +
              ") exceed the supported 10^9 weights");
  rd.keyword("a_norm");
  T a_norm = rd.number<T>("||A||_2");
  rd.keyword("A");
  Matrix<T> A = read_matrix<T>(rd, m, N, "A");
  std::vector<Matrix<T>> W(static_cast<std::size_t>(L));
  for (long i = 0; i < L; ++i) {
    rd.keyword("W");
    const long idx = rd.integer("the layer index", 0, L - 1);
    if (idx != i)
      malformed("layer " + std::to_string(idx) + " appears where layer " + std::to_string(i) +
                " was expected");
    W[static_cast<std::size_t>(i)] = read_matrix<T>(rd, m, N, "W_" + std::to_string(i));
  }
  rd.keyword("theta");
  std::vector<T> theta;
  for (long i = 0; i < L; ++i) theta.push_back(rd.number<T>("theta_" + std::to_string(i)));
  rd.keyword("end");
  try {
    return ListaNetwork<T>(std::move(A), std::move(a_norm), std::move(W), std::move(theta));
  } catch (const std::invalid_argument& e) {
    malformed(e.what());
  }
}

template <class T>
ListaNetwork<T> lista_load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open '" + path + "' for reading");
  return lista_load<T>(in);
}

// ---------------------------------------------------------------------------
// Explicit instantiations (the header declares them extern).
// ---------------------------------------------------------------------------
#define BARRIERS_LISTA_INSTANTIATE(T)                                                          \
  template class ListaNetwork<T>;                                                              \
  template T lista_default_adam_epsilon<T>();                                                  \
  template T lista_published_learning_rate<T>(int);                                            \
  template ListaTrainResult<T> lista_train<T>(ListaNetwork<T>&, const Matrix<T>&,              \
                                              const Matrix<T>&, const Matrix<T>&,              \
                                              const Matrix<T>&, const ListaTrainSettings<T>&); \
  template void lista_save<T>(const ListaNetwork<T>&, std::ostream&);                          \
  template void lista_save<T>(const ListaNetwork<T>&, const std::string&);                     \
  template ListaNetwork<T> lista_load<T>(std::istream&);                                       \
  template ListaNetwork<T> lista_load<T>(const std::string&);

BARRIERS_LISTA_INSTANTIATE(double)
BARRIERS_LISTA_INSTANTIATE(long double)
BARRIERS_LISTA_INSTANTIATE(float128)
BARRIERS_LISTA_INSTANTIATE(mpfr_real)
#undef BARRIERS_LISTA_INSTANTIATE

}  // namespace barriers
