// LISTA: network, backpropagation, Adam training and exact save/load.
//
// Private to the solvers module: the template definitions, instantiated for
// the real types in lista_real.cpp and for the complex ones in
// lista_complex.cpp (two files, so they compile in parallel), so users of
// the header do not pay for Eigen's SVD or the training loop. Real T keeps
// its own forward and backward passes; a complex network computes on its
// real and imaginary parts held as separate real matrices ("Parts"), so every
// product is a real product of the kind the real network uses, and the same
// fast kernels serve both.
#pragma once

#include "barriers/solvers/lista.hpp"

#include <gmp.h>
#include <mpfr.h>
#include <quadmath.h>

#include <Eigen/SVD>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <istream>
#include <limits>
#include <memory>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "barriers/precision/convert.hpp"
#include "barriers/precision/traits.hpp"
#include "lista_kernels.hpp"

namespace barriers {

// ---------------------------------------------------------------------------
// Small generic helpers
// ---------------------------------------------------------------------------
namespace {

template <class T>
constexpr bool is_complex_v = number_traits<T>::is_complex;

template <class T>
bool finite(const T& x) {
  if constexpr (is_complex_v<T>) {
    return finite(x.real()) && finite(x.imag());
  } else {
    using std::isfinite;
    return isfinite(x);
  }
}

template <class T>
bool negative_sign(const T& x) {
  using std::signbit;
  return signbit(x);
}

template <class T>
std::string show(const T& x) {
  if constexpr (is_complex_v<T>) {  // "1.5-2i", "NaN+0i"
    const std::string im = show(x.imag());
    return show(x.real()) + (im[0] == '-' ? "" : "+") + im + "i";
  } else {
    if (x != x) return "NaN";
    std::ostringstream os;
    os << std::setprecision(17) << x;
    return os.str();
  }
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
real_of<T> spectral_norm(const Matrix<T>& A) {
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
  // 64 guard bits beyond it (and never fewer than 320). `half_variance` makes
  // the normals N(0, 1/2) (the parts of a complex weight) inside the same
  // correctly rounded chain, so they too are rounded to T only once.
  PortableRandom(std::uint64_t seed, unsigned bits, bool half_variance = false)
      : rng_(seed), words_(4), prec_(mpfr_prec_t(std::max(64u * 4 + 64, bits + 64))),
        half_variance_(half_variance) {
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

  // Normal by Marsaglia's polar method, both variates of a pair used in order:
  // N(0, 1), or N(0, 1/2) with half_variance.
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
      mpfr_log(f_, s_, MPFR_RNDN);  // f = sqrt(-2 log(s) / s), or sqrt(-log(s) / s)
      mpfr_mul_si(f_, f_, half_variance_ ? -1 : -2, MPFR_RNDN);
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
  bool half_variance_;
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
  static std::vector<real_of<T>>& theta(ListaNetwork<T>& n) { return n.theta_; }
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

template <class R>
void check_a_norm(const R& a_norm) {
  if (!(a_norm > 0) || !finite(a_norm))
    throw std::invalid_argument("||A||_2 = " + show(a_norm) +
                                "; it must be finite and > 0 (A must not be zero)");
}

template <class T>
void check_weights(const std::vector<Matrix<T>>& W, const std::vector<real_of<T>>& theta,
                   Eigen::Index m, Eigen::Index N) {
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
void random_weights(Eigen::Index m, Eigen::Index N, int layers, const real_of<T>& a_norm,
                    std::uint64_t seed, const ListaInit<T>& init, std::vector<Matrix<T>>& W,
                    std::vector<real_of<T>>& theta) {
  using R = real_of<T>;
  if (layers < 1)
    throw std::invalid_argument("layers = " + std::to_string(layers) + "; it must be >= 1");
  if (!finite(init.weight_stddev) || !(init.weight_stddev >= 0))
    throw std::invalid_argument("weight_stddev = " + show(init.weight_stddev) +
                                "; it must be finite and >= 0");
  if (!finite(init.theta_min) || !finite(init.theta_max) || !(init.theta_min >= 0) ||
      !(init.theta_max >= init.theta_min))
    throw std::invalid_argument("theta range [" + show(init.theta_min) + ", " +
                                show(init.theta_max) + "]; it must satisfy 0 <= min <= max < inf");
  const R ten_a = R(10) * a_norm;
  const R width = init.theta_max - init.theta_min;
  PortableRandom rnd(seed, number_traits<T>::precision_bits(), is_complex_v<T>);
  W.assign(layers, Matrix<T>());
  theta.assign(layers, R(0));
  for (int i = 0; i < layers; ++i) {
    W[i].resize(m, N);
    for (Eigen::Index c = 0; c < N; ++c)
      for (Eigen::Index r = 0; r < m; ++r) {
        if constexpr (is_complex_v<T>) {
          const R re = to_type<R>(rnd.normal()) * init.weight_stddev / ten_a;
          const R im = to_type<R>(rnd.normal()) * init.weight_stddev / ten_a;
          W[i](r, c) = T(re, im);
        } else {
          W[i](r, c) = to_type<T>(rnd.normal()) * init.weight_stddev / ten_a;
        }
      }
    theta[i] = init.theta_min + to_type<R>(rnd.uniform()) * width;
  }
}

// A / (10 a_norm). For complex A each part is divided by the real number on
// its own (a complex division would round differently).
template <class T>
Matrix<T> scaled_A(const Matrix<T>& A, const real_of<T>& a_norm) {
  if constexpr (is_complex_v<T>) {
    using R = real_of<T>;
    const R s = R(10) * a_norm;
    Matrix<T> out(A.rows(), A.cols());
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i)
        out(i, j) = T(R(A(i, j).real() / s), R(A(i, j).imag() / s));
    return out;
  } else {
    return A / (T(10) * a_norm);
  }
}

}  // namespace

template <class T>
ListaNetwork<T>::ListaNetwork(Matrix<T> A, int layers, std::uint64_t seed, const ListaInit<T>& init)
    : A_(std::move(A)) {
  check_A(A_);
  a_norm_ = init.a_norm ? *init.a_norm : spectral_norm(A_);
  check_a_norm(a_norm_);
  A_scaled_ = scaled_A(A_, a_norm_);
  random_weights(A_.rows(), A_.cols(), layers, a_norm_, seed, init, W_, theta_);
}

template <class T>
ListaNetwork<T>::ListaNetwork(Matrix<T> A, Real a_norm, std::vector<Matrix<T>> W,
                              std::vector<Real> theta)
    : A_(std::move(A)), a_norm_(std::move(a_norm)) {
  check_A(A_);
  check_a_norm(a_norm_);
  check_weights(W, theta, A_.rows(), A_.cols());
  A_scaled_ = scaled_A(A_, a_norm_);
  W_ = std::move(W);
  theta_ = std::move(theta);
}

template <class T>
void ListaNetwork<T>::set_weights(std::vector<Matrix<T>> W, std::vector<Real> theta) {
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

// Every buffer one pass over a batch of `cols` samples needs, allocated once:
// training reuses it for every mini-batch, so no step allocates (the batch
// temporaries of a Table-1 network are about 170 KB each, above glibc's mmap
// threshold, and allocating them per layer made a third of the training time
// page faults). R[i] = Y - A x_{i-1} / s and Z[i] (the pre-threshold values)
// are kept per layer when backpropagation needs them; a forward-only pass
// keeps one of each and overwrites it layer by layer. (double has its own,
// RowWorkspace below.)
template <class T>
struct Workspace {
  Workspace(Eigen::Index m, Eigen::Index N, Eigen::Index cols, std::size_t kept_layers)
      : R(kept_layers, Matrix<T>(m, cols)), Z(kept_layers, Matrix<T>(N, cols)), x(N, cols),
        WG(m, cols) {}
  std::vector<Matrix<T>> R, Z;
  Matrix<T> x;   // N x cols: the activations, then the backpropagated gradient
  Matrix<T> WG;  // W_i dZ_i (m x cols)
};

// Soft threshold of every entry of z into x (same shapes).
template <class T>
void soft_all(const Matrix<T>& z, const T& t, Matrix<T>& x) {
  const Eigen::Index n = z.size();
  for (Eigen::Index k = 0; k < n; ++k) x.data()[k] = soft(z.data()[k], t);
}

// The backward step through x = soft(z, t) for double: g is zeroed where
// |z| <= t and the return value is dL/dt = -sum sign(z) g over |z| > t.
// Vectorised with Eigen's packets; the sum is accumulated per packet lane
// and then across lanes, so it rounds differently from a sequential sum.
inline double soft_backward(const double* z, double* g, Eigen::Index n, double t) {
  namespace ei = Eigen::internal;
  using P = ei::packet_traits<double>::type;
  constexpr Eigen::Index S = sizeof(P) / sizeof(double);  // lanes (not unpacket_traits<P>: GCC warns on P's attributes)
  const P tp = ei::pset1<P>(t), ntp = ei::pset1<P>(-t), zero = ei::pzero(tp);
  P acc = zero;
  Eigen::Index k = 0;
  for (; k + S <= n; k += S) {
    const P zk = ei::ploadu<P>(z + k), gk = ei::ploadu<P>(g + k);
    const P up = ei::pcmp_lt(tp, zk), down = ei::pcmp_lt(zk, ntp);
    const P gv = ei::pselect(ei::por(up, down), gk, zero);
    ei::pstoreu(g + k, gv);
    acc = ei::psub(acc, ei::pselect(up, gv, ei::pnegate(gv)));
  }
  double dtheta = ei::predux(acc);
  for (; k < n; ++k) {
    if (z[k] > t)
      dtheta -= g[k];
    else if (z[k] < -t)
      dtheta += g[k];
    else
      g[k] = 0;
  }
  return dtheta;
}

// The forward pass of Y (m x ws.x.cols()) into ws.x. The first layer skips
// A x_0 (x_0 = 0): Y - A 0 is Y exactly, so the values are those of the full
// product.
template <class T>
const Matrix<T>& forward_pass(const std::vector<Matrix<T>>& W, const std::vector<T>& theta,
                              const Matrix<T>& As, const Matrix<T>& Y, Workspace<T>& ws) {
  const bool keep = ws.R.size() == W.size();
  ws.x.setZero();
  for (std::size_t i = 0; i < W.size(); ++i) {
    Matrix<T>& r = ws.R[keep ? i : 0];
    Matrix<T>& z = ws.Z[keep ? i : 0];
    r = Y;
    if (i > 0) product_add(r, As, false, ws.x, false, true);  // r = Y - As x
    z = ws.x;
    product_add(z, W[i], true, r, false, false);  // z = x + W_i^T r
    soft_all(z, theta[i], ws.x);
  }
  return ws.x;
}

// Gradient of the MSE by reverse-mode differentiation of forward_pass, into
// g (shaped like the weights); the loss goes to *loss_out when given.
//   loss = ||x_L - X||^2 / (N R),  G_L = 2 (x_L - X) / (N R)
//   x_i = soft(Z_i, theta_i):  dZ_i = G_i on |Z| > theta_i, else 0
//                               dtheta_i = -sum sign(Z_i) G_i over |Z| > theta_i
//   Z_i = x_{i-1} + W_i^T R_i:  dW_i = R_i dZ_i^T
//   R_i = Y - As x_{i-1}:       G_{i-1} = dZ_i - As^T (W_i dZ_i)
template <class T>
void backprop(const std::vector<Matrix<T>>& W, const std::vector<T>& theta, const Matrix<T>& As,
              const Matrix<T>& Y, const Matrix<T>& X, Workspace<T>& ws, ListaGradient<T>& g,
              T* loss_out) {
  const std::size_t L = W.size();
  Matrix<T>& G = ws.x;
  forward_pass<T>(W, theta, As, Y, ws);
  G -= X;
  const T count = T(static_cast<double>(X.rows() * X.cols()));
  if (loss_out) *loss_out = G.squaredNorm() / count;
  G *= T(2) / count;

  for (std::size_t i = L; i-- > 0;) {
    const T* z = ws.Z[i].data();
    T* gk = G.data();
    const T& t = theta[i];
    const Eigen::Index n = G.size();
    T dtheta(0);
    for (Eigen::Index k = 0; k < n; ++k) {
      if (z[k] > t)
        dtheta -= gk[k];
      else if (z[k] < -t)
        dtheta += gk[k];
      else
        gk[k] = T(0);  // at or inside the kink: derivative 0 (TensorFlow's relu'(0) = 0)
    }
    g.theta[i] = dtheta;
    g.W[i].setZero();
    product_add(g.W[i], ws.R[i], false, G, true, false);  // dW_i = R_i dZ_i^T
    if (i == 0) continue;
    ws.WG.setZero();
    product_add(ws.WG, W[i], false, G, false, false);
    product_add(G, As, true, ws.WG, false, true);  // G -= As^T (W_i dZ_i)
  }
}

// ---------------------------------------------------------------------------
// double: samples as rows. The same network and gradient with every batch
// matrix transposed (B x m, B x N), so that the long dimension of each
// product is the batch, which the kernels of lista_kernels.hpp run along in
// packets (they read the batch in place and fuse the soft threshold and the
// backward mask into the products). Backpropagation multiplies by
// (I - As^T W_i) once instead of by W_i and As^T in turn (4 products per
// layer instead of 5). Rounds differently from the other types' code
// (products in another order, lane-wise sums for dW and dL/dtheta); the
// arithmetic is the same.
// ---------------------------------------------------------------------------
struct RowWorkspace {
  RowWorkspace(Eigen::Index m, Eigen::Index N, Eigen::Index cols, std::size_t kept_layers)
      : Y(cols, m), X(cols, N), R(kept_layers, Matrix<double>(cols, m)),
        Z(kept_layers, Matrix<double>(cols, N)), x(cols, N), G2(cols, N) {}
  Matrix<double> Y, X;  // the batch's inputs and targets, one sample per row
  std::vector<Matrix<double>> R, Z;  // with every layer kept, R[0] is unused (layer 0 reads Y)
  Matrix<double> x;   // the activations, then the backpropagated gradient
  Matrix<double> G2;  // the next gradient
};

// out.row(c) = M.col(idx[c]) for every row c of out: a transposing gather in
// tiles of 8 samples, so that each sample's column is read from memory once
// and each write fills whole cache lines of out's columns. The next tile's
// samples are prefetched: the shuffled reads are what this loop waits on.
inline void gather_rows(const Matrix<double>& M, const Eigen::Index* idx, Matrix<double>& out) {
  constexpr Eigen::Index tile = 8;
  const Eigen::Index n = out.rows(), len = M.rows();
  for (Eigen::Index c0 = 0; c0 < n; c0 += tile) {
    const Eigen::Index c1 = std::min(n, c0 + tile);
    for (Eigen::Index c = c1; c < std::min(n, c1 + tile); ++c)
      for (Eigen::Index j = 0; j < len; j += 8) __builtin_prefetch(&M(j, idx[c]));
    for (Eigen::Index j = 0; j < len; ++j)
      for (Eigen::Index c = c0; c < c1; ++c) out(c, j) = M(j, idx[c]);
  }
}

// -As^T (N x m), the right operand of r = Y + x (-As^T): negation is exact,
// so this is r = Y - x As^T with every product added in turn.
inline Matrix<double> negated_transpose(const Matrix<double>& As) { return -As.transpose(); }

// The forward pass of ws.Y into ws.x (layer formula transposed:
// r = y - x As^T, z = x + r W_i), nAsT = negated_transpose(As). Layer 0 has
// x_0 = 0: z = Y W_0. Each layer's x is written where the next layer's z
// goes, and z is formed there in place, so no activation is copied; the
// soft threshold is applied as each tile of z is finished. With one kept
// layer, z and the next x share a buffer (z is stored, then overwritten).
inline const Matrix<double>& forward_rows(const std::vector<Matrix<double>>& W,
                                          const std::vector<double>& theta,
                                          const Matrix<double>& nAsT, RowWorkspace& ws) {
  namespace lk = lista_kernels;
  const bool keep = ws.Z.size() == W.size();
  const std::size_t L = W.size();
  const Eigen::Index B = ws.Y.rows(), m = ws.Y.cols(), N = ws.x.cols();
  for (std::size_t i = 0; i < L; ++i) {
    Matrix<double>& z = ws.Z[keep ? i : 0];  // holds x_{i-1} on entry (i > 0)
    Matrix<double>& next = i + 1 == L ? ws.x : ws.Z[keep ? i + 1 : 0];
    lk::StoreSoft soft{z.data(), B, next.data(), B, theta[i]};
    if (i == 0) {
      lk::tall_product(B, m, N, ws.Y.data(), B, W[0].data(), m, nullptr, 0, soft);  // z = Y W_0
    } else {
      Matrix<double>& r = ws.R[keep ? i : 0];
      lk::Store to_r{r.data(), B};
      lk::tall_product(B, N, m, z.data(), B, nAsT.data(), N, ws.Y.data(), B, to_r);  // r = Y - x As^T
      lk::tall_product(B, m, N, r.data(), B, W[i].data(), m, z.data(), B, soft);      // z = x + r W_i
    }
  }
  return ws.x;
}

// backprop() for the rows layout: dW_i = R_i^T dZ_i, G_{i-1} = dZ_i (I - As^T W_i)^T.
// ||F(Y) - X||_F^2 over the batch in ws, summed in the rows layout:
// ListaNetwork::loss and the validation in training both use it, so the
// best validation loss is the trained network's loss bit for bit.
inline double rows_squared_error(const std::vector<Matrix<double>>& W,
                                 const std::vector<double>& theta, const Matrix<double>& nAsT,
                                 RowWorkspace& ws) {
  return (forward_rows(W, theta, nAsT, ws) - ws.X).squaredNorm();
}

// PT[i] = (I - As^T W_i)^T = I - W_i^T As for i >= 1 (PT[0] is not used),
// the backward map of layer i as the rows layout applies it
// (G_{i-1} = dZ_i PT[i]), formed once per step and shared by its chunks.
inline void form_backward_maps(const std::vector<Matrix<double>>& W, const Matrix<double>& As,
                               std::vector<Matrix<double>>& PT) {
  for (std::size_t i = 1; i < W.size(); ++i) {
    PT[i].setIdentity();
    PT[i].noalias() -= W[i].transpose() * As;
  }
}

// Adds the gradient of ||F(Y) - X||_F^2 / count over the chunk in ws to g
// and returns the chunk's ||F(Y) - X||_F^2. A mini-batch is processed in
// chunks of rows (see row_chunk), so its gradient is the sum of the chunks'.
// The mask of layer i - 1 is applied (and its dL/dtheta summed) as each tile
// of G_{i-1} is finished.
inline double backprop_rows(const std::vector<Matrix<double>>& W, const std::vector<double>& theta,
                            const Matrix<double>& nAsT, const std::vector<Matrix<double>>& PT,
                            double count, RowWorkspace& ws, ListaGradient<double>& g) {
  namespace lk = lista_kernels;
  const std::size_t L = W.size();
  const Eigen::Index B = ws.Y.rows(), m = ws.Y.cols(), N = ws.x.cols();
  Matrix<double>& G = ws.x;
  forward_rows(W, theta, nAsT, ws);
  G -= ws.X;
  const double squares = G.squaredNorm();
  G *= 2 / count;
  g.theta[L - 1] += soft_backward(ws.Z[L - 1].data(), G.data(), G.size(), theta[L - 1]);
  for (std::size_t i = L; i-- > 0;) {
    const Matrix<double>& Ri = i == 0 ? ws.Y : ws.R[i];
    lk::tall_inner_product(B, m, N, Ri.data(), B, G.data(), B, g.W[i].data(), m);  // dW_i += R_i^T dZ_i
    if (i == 0) break;
    lk::StoreMask mask{ws.G2.data(), B, ws.Z[i - 1].data(), B, theta[i - 1]};
    lk::tall_product(B, N, N, G.data(), B, PT[i].data(), N, nullptr, 0, mask);  // G_{i-1}, masked
    g.theta[i - 1] += mask.total();
    G.swap(ws.G2);
  }
  return squares;
}

// Rows of a mini-batch per backpropagation pass: as many as keep the pass's
// per-layer buffers (R_i and Z_i, (m + N) doubles per row and layer) within
// about 512 KB, so that they stay in a core's L2 cache between the forward
// and the backward pass instead of going out to L3 and back; a multiple of
// the kernels' row tile, at least three tiles.
inline Eigen::Index row_chunk(Eigen::Index m, Eigen::Index N, std::size_t layers) {
  constexpr Eigen::Index tile = lista_kernels::kTileRows;
  const double per_row = double(layers) * double(m + N) * sizeof(double);
  const auto rows = static_cast<Eigen::Index>(512.0 * 1024 / per_row);
  return std::max<Eigen::Index>(3 * tile, rows / tile * tile);
}

// Row workspaces by chunk width, each made on first use: an epoch meets at
// most a few widths (full chunks and the remainders of a batch and of the
// last batch), so after the first epoch no step allocates.
struct RowPool {
  Eigen::Index m, N;
  std::size_t layers;
  std::vector<std::unique_ptr<RowWorkspace>> ws;
  RowWorkspace& get(Eigen::Index rows) {
    for (auto& w : ws)
      if (w->x.rows() == rows) return *w;
    ws.push_back(std::make_unique<RowWorkspace>(m, N, rows, layers));
    return *ws.back();
  }
};

// The gradient of the MSE over the samples idx[0..count) of (Y, X) (columns
// are samples) into g, in chunks of at most `chunk` rows; returns the MSE.
// Training and ListaNetwork::gradient both go through here.
inline double backprop_chunked(const std::vector<Matrix<double>>& W, const std::vector<double>& theta,
                               const Matrix<double>& nAsT, const std::vector<Matrix<double>>& PT,
                               const Matrix<double>& Y, const Matrix<double>& X,
                               const Eigen::Index* idx, Eigen::Index count, Eigen::Index chunk,
                               RowPool& pool, ListaGradient<double>& g) {
  for (std::size_t i = 0; i < W.size(); ++i) {
    g.W[i].setZero();
    g.theta[i] = 0;
  }
  const double entries = static_cast<double>(X.rows() * count);
  double squares = 0;
  for (Eigen::Index c0 = 0; c0 < count; c0 += chunk) {
    RowWorkspace& ws = pool.get(std::min(chunk, count - c0));
    gather_rows(Y, idx + c0, ws.Y);
    gather_rows(X, idx + c0, ws.X);
    squares += backprop_rows(W, theta, nAsT, PT, entries, ws, g);
  }
  return squares / entries;
}

// A gradient shaped like the weights of `W` (zero).
template <class T>
ListaGradient<T> gradient_like(const std::vector<Matrix<T>>& W) {
  ListaGradient<T> g;
  for (const auto& M : W) g.W.push_back(Matrix<T>::Zero(M.rows(), M.cols()));
  g.theta.assign(W.size(), real_of<T>(0));
  return g;
}

// ---------------------------------------------------------------------------
// Complex networks, computed on parts: M = re + i im with re, im real.
// ---------------------------------------------------------------------------
template <class R>
struct Parts {
  Matrix<R> re, im;
  static Parts zero(Eigen::Index r, Eigen::Index c) {
    return {Matrix<R>::Zero(r, c), Matrix<R>::Zero(r, c)};
  }
};

template <class R>
Parts<R> to_parts(const Matrix<std::complex<R>>& M) {
  Parts<R> p{Matrix<R>(M.rows(), M.cols()), Matrix<R>(M.rows(), M.cols())};
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
      p.re(i, j) = M(i, j).real();
      p.im(i, j) = M(i, j).imag();
    }
  return p;
}

template <class R>
std::vector<Parts<R>> to_parts(const std::vector<Matrix<std::complex<R>>>& Ms) {
  std::vector<Parts<R>> out;
  out.reserve(Ms.size());
  for (const auto& M : Ms) out.push_back(to_parts(M));
  return out;
}

template <class R>
Matrix<std::complex<R>> from_parts(const Parts<R>& p) {
  Matrix<std::complex<R>> M(p.re.rows(), p.re.cols());
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    for (Eigen::Index i = 0; i < M.rows(); ++i) M(i, j) = std::complex<R>(p.re(i, j), p.im(i, j));
  return M;
}

// C += op(A) op(B) (or -=), op = identity or conjugate transpose, as four real
// products. With op(A) = opR(A.re) + i sA opR(A.im), sA = -1 for the adjoint:
//   C.re += opR(A.re) opR(B.re) - sA sB opR(A.im) opR(B.im)
//   C.im += sB opR(A.re) opR(B.im) + sA opR(A.im) opR(B.re)
// The product of the real parts comes first, so when every imaginary part is
// zero C.re gets exactly the real network's bits (the rest adds zeros).
template <class R>
void product_add(Parts<R>& C, const Parts<R>& A, bool hA, const Parts<R>& B, bool hB,
                 bool subtract) {
  product_add(C.re, A.re, hA, B.re, hB, subtract);
  product_add(C.re, A.im, hA, B.im, hB, subtract != (hA == hB));
  product_add(C.im, A.re, hA, B.im, hB, subtract != hB);
  product_add(C.im, A.im, hA, B.re, hB, subtract != hA);
}

// |re + i im|, exact when one part is zero (so real data give the real
// network's bits) and otherwise a hypot; for MPFR mpfr_modulus, as every
// complex MPFR modulus in the project (solver_types.hpp: relative error
// below 2.5 u; the stability map, ListaMap, repeats it without making
// numbers).
template <class R>
R modulus_of(const R& re, const R& im) {
  using std::abs;
  if (im == 0) return abs(re);
  if (re == 0) return abs(im);
  if constexpr (std::is_same_v<R, mpfr_real>) {
    R out, scratch;
    mpfr_modulus(out.backend().data(), re.backend().data(), im.backend().data(), scratch.backend().data());
    return out;
  } else if constexpr (std::is_same_v<R, float128>) {
    return R(hypotq(re.backend().value(), im.backend().value()));
  } else {
    return std::hypot(re, im);
  }
}

template <class R>
R squared_norm(const Parts<R>& p) {
  return p.re.squaredNorm() + p.im.squaredNorm();
}

// soft_t(z) = max(|z| - t, 0) z / |z|, evaluated as (z / |z|) (|z| - t): for
// a real z, z / |z| is exactly +-1, so the result has the real soft
// threshold's bits.
template <class R>
void soft_complex(const R& zr, const R& zi, const R& t, R& xr, R& xi) {
  const R m = modulus_of(zr, zi);
  if (!(m > t)) {
    xr = R(0);
    xi = R(0);
    return;
  }
  const R shrunk = m - t;
  xr = zr / m * shrunk;
  xi = zi / m * shrunk;
}

// forward_pass for complex networks: z = x + W_i^H r, complex soft threshold.
template <class R>
Parts<R> forward_pass(const std::vector<Parts<R>>& W, const std::vector<R>& theta,
                      const Parts<R>& As, const Parts<R>& Y, std::vector<Parts<R>>* Rs,
                      std::vector<Parts<R>>* Zs) {
  const Eigen::Index N = As.re.cols(), cols = Y.re.cols();
  Parts<R> x = Parts<R>::zero(N, cols), r, z;
  for (std::size_t i = 0; i < W.size(); ++i) {
    r = Y;
    product_add(r, As, false, x, false, true);  // r = Y - As x
    z = x;
    product_add(z, W[i], true, r, false, false);  // z = x + W_i^H r
    for (Eigen::Index c = 0; c < cols; ++c)
      for (Eigen::Index k = 0; k < N; ++k)
        soft_complex(z.re(k, c), z.im(k, c), theta[i], x.re(k, c), x.im(k, c));
    if (Rs) (*Rs)[i] = r;
    if (Zs) (*Zs)[i] = z;
  }
  return x;
}

// Backpropagation for complex networks. The loss L is real; for a complex
// variable v we carry g_v = dL/dRe(v) + i dL/dIm(v) = 2 dL/dconj(v), for which
// dL = Re(conj(g_v) dv) and the chain rule through a map v -> u with Wirtinger
// derivatives a = du/dv, b = du/dconj(v) reads g_v = conj(a) g_u + b conj(g_u).
//   loss = sum |x_L - X|^2 / (N R):  G_L = 2 (x_L - X) / (N R)
//   x = soft_t(z), |z| > t, u = z/|z|: a = 1 - t/(2|z|), b = t u^2 / (2|z|),
//     so with c = conj(u) g_x = alpha + i beta (radial and tangential parts)
//     g_z = u (alpha + i beta (|z| - t) / |z|) and dL/dt = -alpha; g_z = 0 and
//     no dL/dt at or inside the kink |z| <= t (the real convention).
//   z = x + W^H r (conjugate-linear in W, linear in r and x):
//     dW = R dZ^H, g_r = W dZ, and r = Y - As x gives G_{i-1} = dZ - As^H W dZ.
// For real data (u = +-1, beta = 0) this is the real backprop step.
template <class R>
ListaGradient<std::complex<R>> backprop(const std::vector<Parts<R>>& W, const std::vector<R>& theta,
                                        const Parts<R>& As, const Parts<R>& Y, const Parts<R>& X,
                                        R* loss_out) {
  const std::size_t L = W.size();
  std::vector<Parts<R>> Rs(L), Zs(L);
  Parts<R> G = forward_pass<R>(W, theta, As, Y, &Rs, &Zs);
  G.re -= X.re;
  G.im -= X.im;
  const R count = R(static_cast<double>(X.re.rows() * X.re.cols()));
  if (loss_out) *loss_out = squared_norm(G) / count;
  const R scale = R(2) / count;
  G.re *= scale;
  G.im *= scale;

  ListaGradient<std::complex<R>> g;
  g.W.resize(L);
  g.theta.assign(L, R(0));
  R m, ur, ui, alpha, beta;
  for (std::size_t i = L; i-- > 0;) {
    const Parts<R>& Z = Zs[i];
    const R& t = theta[i];
    R dtheta(0);
    for (Eigen::Index c = 0; c < Z.re.cols(); ++c)
      for (Eigen::Index k = 0; k < Z.re.rows(); ++k) {
        R& gr = G.re(k, c);
        R& gi = G.im(k, c);
        m = modulus_of(Z.re(k, c), Z.im(k, c));
        if (!(m > t)) {  // at or inside the kink: derivative 0
          gr = R(0);
          gi = R(0);
          continue;
        }
        ur = Z.re(k, c) / m;
        ui = Z.im(k, c) / m;
        alpha = ur * gr + ui * gi;
        beta = (ur * gi - ui * gr) * ((m - t) / m);
        dtheta -= alpha;
        gr = ur * alpha - ui * beta;
        gi = ui * alpha + ur * beta;
      }
    g.theta[i] = dtheta;
    Parts<R> dW = Parts<R>::zero(Rs[i].re.rows(), G.re.rows());
    product_add(dW, Rs[i], false, G, true, false);  // dW_i = R_i dZ_i^H
    g.W[i] = from_parts(dW);
    if (i > 0) {
      Parts<R> WG = Parts<R>::zero(W[i].re.rows(), G.re.cols());
      product_add(WG, W[i], false, G, false, false);
      product_add(G, As, true, WG, false, true);  // G -= As^H (W_i dZ_i)
    }
  }
  return g;
}

// ---------------------------------------------------------------------------
// Dispatch on real / complex T
// ---------------------------------------------------------------------------
// The network applied to the columns of Y; with `tape`, each layer's
// pre-threshold values z_i (N x R) are kept there too. Keeping them changes
// only where the values are stored, not how they are computed.
template <class T>
Matrix<T> run_forward(const std::vector<Matrix<T>>& W, const std::vector<real_of<T>>& theta,
                      const Matrix<T>& As, const Matrix<T>& Y,
                      std::vector<Matrix<T>>* tape = nullptr) {
  const std::size_t L = W.size(), kept = tape ? L : 1;
  if (tape) tape->resize(L);
  if constexpr (is_complex_v<T>) {
    using R = real_of<T>;
    std::vector<Parts<R>> Zs(tape ? L : 0);
    Matrix<T> out = from_parts(
        forward_pass<R>(to_parts(W), theta, to_parts(As), to_parts(Y), nullptr, tape ? &Zs : nullptr));
    for (std::size_t i = 0; tape && i < L; ++i) (*tape)[i] = from_parts(Zs[i]);
    return out;
  } else if constexpr (std::is_same_v<T, double>) {
    RowWorkspace ws(As.rows(), As.cols(), Y.cols(), kept);
    ws.Y = Y.transpose();
    Matrix<T> out = forward_rows(W, theta, negated_transpose(As), ws).transpose();
    for (std::size_t i = 0; tape && i < L; ++i) (*tape)[i] = ws.Z[i].transpose();
    return out;
  } else {
    Workspace<T> ws(As.rows(), As.cols(), Y.cols(), kept);
    Matrix<T> out = forward_pass<T>(W, theta, As, Y, ws);
    for (std::size_t i = 0; tape && i < L; ++i) (*tape)[i] = ws.Z[i];
    return out;
  }
}

template <class T>
ListaGradient<T> run_backprop(const std::vector<Matrix<T>>& W, const std::vector<real_of<T>>& theta,
                              const Matrix<T>& As, const Matrix<T>& Y, const Matrix<T>& X,
                              real_of<T>* loss_out) {
  if constexpr (is_complex_v<T>) {
    return backprop(to_parts(W), theta, to_parts(As), to_parts(Y), to_parts(X), loss_out);
  } else if constexpr (std::is_same_v<T, double>) {
    RowPool pool{As.rows(), As.cols(), W.size(), {}};
    std::vector<Matrix<double>> P(W.size(), Matrix<double>(As.cols(), As.cols()));
    form_backward_maps(W, As, P);
    std::vector<Eigen::Index> idx(static_cast<std::size_t>(Y.cols()));
    for (Eigen::Index k = 0; k < Y.cols(); ++k) idx[k] = k;
    ListaGradient<T> g = gradient_like(W);
    const double loss = backprop_chunked(W, theta, negated_transpose(As), P, Y, X, idx.data(), Y.cols(),
                                         row_chunk(As.rows(), As.cols(), W.size()), pool, g);
    if (loss_out) *loss_out = loss;
    return g;
  } else {
    Workspace<T> ws(As.rows(), As.cols(), Y.cols(), W.size());
    ListaGradient<T> g = gradient_like(W);
    backprop(W, theta, As, Y, X, ws, g, loss_out);
    return g;
  }
}

// ||F - X||_F^2 (sum of |.|^2 for complex entries).
template <class T>
real_of<T> squared_distance(const Matrix<T>& F, const Matrix<T>& X) {
  if constexpr (is_complex_v<T>) {
    Parts<real_of<T>> d = to_parts(F);
    const Parts<real_of<T>> x = to_parts(X);
    d.re -= x.re;
    d.im -= x.im;
    return squared_norm(d);
  } else {
    return (F - X).squaredNorm();
  }
}

template <class T>
real_of<T> squared_norm(const Matrix<T>& X) {
  if constexpr (is_complex_v<T>)
    return squared_norm(to_parts(X));
  else
    return X.squaredNorm();
}

template <class T>
real_of<T> mse(const Matrix<T>& F, const Matrix<T>& X) {
  using R = real_of<T>;
  return squared_distance(F, X) / R(static_cast<double>(X.rows() * X.cols()));
}

}  // namespace

template <class T>
Matrix<T> ListaNetwork<T>::forward(const Matrix<T>& Y) const {
  check_batch<T>(*this, Y, nullptr, "Y", "");
  return run_forward<T>(W_, theta_, A_scaled_, Y);
}

template <class T>
Matrix<T> ListaNetwork<T>::forward(const Matrix<T>& Y, std::vector<Matrix<T>>& Z) const {
  check_batch<T>(*this, Y, nullptr, "Y", "");
  return run_forward<T>(W_, theta_, A_scaled_, Y, &Z);
}

template <class T>
Vector<T> ListaNetwork<T>::forward(const Vector<T>& y) const {
  const Matrix<T> Y = y;
  return forward(Y).col(0);
}

template <class T>
real_of<T> ListaNetwork<T>::loss(const Matrix<T>& Y, const Matrix<T>& X) const {
  check_batch<T>(*this, Y, &X, "Y", "X");
  if constexpr (std::is_same_v<T, double>) {
    RowWorkspace ws(rows(), cols(), Y.cols(), 1);
    ws.Y = Y.transpose();
    ws.X = X.transpose();
    return rows_squared_error(W_, theta_, negated_transpose(A_scaled_), ws) /
           static_cast<double>(X.size());
  } else {
    return mse(run_forward<T>(W_, theta_, A_scaled_, Y), X);
  }
}

template <class T>
ListaGradient<T> ListaNetwork<T>::gradient(const Matrix<T>& Y, const Matrix<T>& X,
                                           Real* loss_out) const {
  check_batch<T>(*this, Y, &X, "Y", "X");
  return run_backprop<T>(W_, theta_, A_scaled_, Y, X, loss_out);
}

// ---------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------
template <class T>
real_of<T> lista_default_adam_epsilon() {
  using R = real_of<T>;
  using std::ldexp;
  using std::sqrt;
  // eps_T / eps_double is a power of two (2^52 eps_T); its square root is exact
  // when the exponent is even and correctly rounded otherwise.
  const R ratio = ldexp(number_traits<R>::epsilon(), 52);
  return R(1) / R(100000000) * sqrt(ratio);
}

template <class T>
real_of<T> lista_published_learning_rate(int K) {
  using R = real_of<T>;
  using std::pow;
  return R(2) / R(10000) * R(pow(R(10), R(-K) / R(3)));
}

namespace {

template <class T>
void check_settings(const ListaTrainSettings<T>& s, const real_of<T>& eps) {
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

// Adam (Kingma & Ba, with bias correction) on one real parameter.
template <class T>
void adam_update(T& p, const T& g, T& m, T& v, const T& b1, const T& b2, const T& c1,
                 const T& c2, const T& lr, const T& eps) {
  using std::sqrt;
  m = b1 * m + (T(1) - b1) * g;
  v = b2 * v + (T(1) - b2) * (g * g);
  p -= lr * (m / c1) / (sqrt(v / c2) + eps);
}

// adam_update on every entry of a double matrix, in Eigen's packets (the
// same operations per entry).
inline void adam_update_all(Matrix<double>& p, const Matrix<double>& g, Matrix<double>& m,
                            Matrix<double>& v, double b1, double b2, double c1, double c2,
                            double lr, double eps) {
  m.array() = b1 * m.array() + (1 - b1) * g.array();
  v.array() = b2 * v.array() + (1 - b2) * g.array().square();
  p.array() -= lr * (m.array() / c1) / ((v.array() / c2).sqrt() + eps);
}

// A complex weight is two independent real parameters (as PyTorch's Adam
// treats complex tensors): m and v hold the moments of the real part in their
// real part and those of the imaginary part in their imaginary part. A
// joint second moment |g|^2 would couple the two step sizes.
template <class R>
void adam_update(std::complex<R>& p, const std::complex<R>& g, std::complex<R>& m,
                 std::complex<R>& v, const R& b1, const R& b2, const R& c1, const R& c2,
                 const R& lr, const R& eps) {
  R pr = p.real(), pi = p.imag(), mr = m.real(), mi = m.imag(), vr = v.real(), vi = v.imag();
  adam_update(pr, g.real(), mr, vr, b1, b2, c1, c2, lr, eps);
  adam_update(pi, g.imag(), mi, vi, b1, b2, c1, c2, lr, eps);
  p = std::complex<R>(pr, pi);
  m = std::complex<R>(mr, mi);
  v = std::complex<R>(vr, vi);
}

}  // namespace

template <class T>
ListaTrainResult<T> lista_train(ListaNetwork<T>& net, const Matrix<T>& Y_train,
                                const Matrix<T>& X_train, const Matrix<T>& Y_val,
                                const Matrix<T>& X_val, const ListaTrainSettings<T>& settings) {
  using Access = detail::ListaAccess<T>;
  using R = real_of<T>;
  const R eps = settings.adam_epsilon ? *settings.adam_epsilon : lista_default_adam_epsilon<T>();
  check_settings(settings, eps);
  check_batch<T>(net, Y_train, &X_train, "Y_train", "X_train");
  check_batch<T>(net, Y_val, &X_val, "Y_val", "X_val");
  const bool relative = settings.validation_metric == ListaValidationMetric::relative_squared_error;
  const R val_norm2 = squared_norm(X_val);
  if (relative && !(val_norm2 > 0))
    throw std::invalid_argument(
        "X_val is all zero; the relative_squared_error validation metric needs a nonzero target");

  std::vector<Matrix<T>>& W = Access::W(net);
  std::vector<R>& theta = Access::theta(net);
  const Matrix<T>& As = Access::A_scaled(net);
  const std::size_t L = W.size();

  // Real networks train in preallocated workspaces (see Workspace); complex
  // ones compute on separate real and imaginary parts, allocated per batch.
  constexpr bool real_net = !is_complex_v<T>;
  constexpr bool rows = std::is_same_v<T, double>;  // RowWorkspace
  std::unique_ptr<Workspace<T>> val_ws;
  std::unique_ptr<RowWorkspace> val_rows;
  Matrix<T> nAsT;  // double: -As^T, constant during training
  if constexpr (rows) {
    nAsT = negated_transpose(As);
    val_rows = std::make_unique<RowWorkspace>(net.rows(), net.cols(), Y_val.cols(), 1);
    val_rows->Y = Y_val.transpose();
    val_rows->X = X_val.transpose();
  } else if constexpr (real_net) {
    val_ws = std::make_unique<Workspace<T>>(net.rows(), net.cols(), Y_val.cols(), 1);
  }
  auto metric = [&](const Matrix<T>& F) {
    return relative ? R(squared_distance(F, X_val) / val_norm2) : mse(F, X_val);
  };
  auto validate = [&]() {
    if constexpr (rows) {
      const R d = rows_squared_error(W, theta, nAsT, *val_rows);
      return relative ? R(d / val_norm2) : R(d / R(static_cast<double>(X_val.size())));
    } else if constexpr (real_net) {
      return metric(forward_pass<T>(W, theta, As, Y_val, *val_ws));
    } else {
      return metric(run_forward<T>(W, theta, As, Y_val));
    }
  };

  ListaTrainResult<T> result;
  result.initial_validation_loss = validate();
  result.best_validation_loss = result.initial_validation_loss;
  result.best_epoch = 0;
  std::vector<Matrix<T>> best_W = W;
  std::vector<R> best_theta = theta;
  {
    ListaEpoch<T> e0;
    e0.epoch = 0;
    e0.train_loss = mse(run_forward<T>(W, theta, As, Y_train), X_train);
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
  std::vector<R> mt(L, R(0)), vt(L, R(0));
  R b1_power(1), b2_power(1);

  const Eigen::Index samples = Y_train.cols();
  const Eigen::Index batch = std::min<Eigen::Index>(settings.batch_size, samples);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(samples));
  for (Eigen::Index k = 0; k < samples; ++k) order[k] = k;
  std::mt19937_64 shuffle_rng(settings.shuffle_seed);
  // The buffers of a mini-batch, one set per batch width (an epoch has at
  // most two: full batches and the remainder), so no step allocates.
  struct Batch {
    Matrix<T> Y, X;  // not used by double, which gathers chunks into a RowPool
    ListaGradient<T> g;
    std::unique_ptr<Workspace<T>> ws;  // real T but double
  };
  auto make_batch = [&](Eigen::Index cnt) {
    Batch b{Matrix<T>(rows ? 0 : Y_train.rows(), rows ? 0 : cnt),
            Matrix<T>(rows ? 0 : X_train.rows(), rows ? 0 : cnt), gradient_like(W), nullptr};
    if constexpr (!rows && real_net)
      b.ws = std::make_unique<Workspace<T>>(net.rows(), net.cols(), cnt, L);
    return b;
  };
  RowPool pool{net.rows(), net.cols(), L, {}};
  const Eigen::Index chunk = row_chunk(net.rows(), net.cols(), L);
  std::vector<Matrix<T>> backward_maps;
  if constexpr (rows) backward_maps.assign(L, Matrix<T>(net.cols(), net.cols()));
  Batch full = make_batch(batch);
  std::optional<Batch> rest;
  if (samples % batch != 0) rest.emplace(make_batch(samples % batch));

  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    if (settings.shuffle)
      for (std::size_t k = order.size(); k-- > 1;)
        std::swap(order[k], order[uniform_below(shuffle_rng, k + 1)]);

    R loss_sum(0);
    bool broken = false;
    for (Eigen::Index start = 0; start < samples; start += batch) {
      const Eigen::Index cnt = std::min(batch, samples - start);
      Batch& b = cnt == batch ? full : *rest;
      R batch_loss;
      if constexpr (rows) {
        form_backward_maps(W, As, backward_maps);
        batch_loss = backprop_chunked(W, theta, nAsT, backward_maps, Y_train, X_train,
                                      order.data() + start, cnt, chunk, pool, b.g);
      } else {
        for (Eigen::Index c = 0; c < cnt; ++c) {
          b.Y.col(c) = Y_train.col(order[start + c]);
          b.X.col(c) = X_train.col(order[start + c]);
        }
        if constexpr (real_net)
          backprop<T>(W, theta, As, b.Y, b.X, *b.ws, b.g, &batch_loss);
        else
          b.g = run_backprop<T>(W, theta, As, b.Y, b.X, &batch_loss);
      }
      const ListaGradient<T>& g = b.g;
      if (!finite(batch_loss) || !all_finite(g)) {
        broken = true;
        break;
      }
      loss_sum += batch_loss * R(static_cast<double>(cnt));

      b1_power *= settings.beta1;
      b2_power *= settings.beta2;
      const R c1 = R(1) - b1_power, c2 = R(1) - b2_power;
      for (std::size_t i = 0; i < L; ++i) {
        if constexpr (rows)
          adam_update_all(W[i], g.W[i], mW[i], vW[i], settings.beta1, settings.beta2, c1, c2,
                          settings.learning_rate, eps);
        else
          for (Eigen::Index j = 0; j < W[i].cols(); ++j)
            for (Eigen::Index k = 0; k < W[i].rows(); ++k)
              adam_update(W[i](k, j), g.W[i](k, j), mW[i](k, j), vW[i](k, j), settings.beta1,
                          settings.beta2, c1, c2, settings.learning_rate, eps);
        adam_update(theta[i], g.theta[i], mt[i], vt[i], settings.beta1, settings.beta2, c1, c2,
                    settings.learning_rate, eps);
        if (!(theta[i] > 0)) theta[i] = R(0);  // projection onto theta >= 0 (also clears -0)
      }
    }
    if (broken) {
      result.termination = ListaTermination::non_finite_loss;
      break;
    }

    ListaEpoch<T> e;
    e.epoch = epoch;
    e.train_loss = loss_sum / R(static_cast<double>(samples));
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
  // A complex number is two tokens, real part then imaginary part.
  template <class T>
  T number(const std::string& what) {
    if constexpr (is_complex_v<T>) {
      using R = real_of<T>;
      const std::string re_what = what + " (real part)", im_what = what + " (imaginary part)";
      R re = decode<R>(token(re_what), re_what);
      R im = decode<R>(token(im_what), im_what);
      return T(std::move(re), std::move(im));
    } else {
      return decode<T>(token(what), what);
    }
  }

 private:
  std::istream& in_;
};

template <class T>
std::string encode_entry(const T& x, const std::string& what) {
  if constexpr (is_complex_v<T>)
    return encode(x.real(), what + " (real part)") + " " + encode(x.imag(), what + " (imaginary part)");
  else
    return encode(x, what);
}

template <class T>
void write_matrix(std::ostream& out, const Matrix<T>& M, const std::string& name) {
  for (Eigen::Index i = 0; i < M.rows(); ++i) {
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      out << (j ? " " : "")
          << encode_entry(M(i, j), name + "(" + std::to_string(i) + ", " + std::to_string(j) + ")");
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
    using R = real_of<T>;
    mpfr_prec_t p = mpfr_get_prec(net.a_norm().backend().data());
    auto see_real = [&](const R& x) { p = std::max(p, mpfr_get_prec(x.backend().data())); };
    auto see = [&](const T& x) {
      if constexpr (is_complex_v<T>) {
        see_real(x.real());  // copies keep the precision of their source
        see_real(x.imag());
      } else {
        see_real(x);
      }
    };
    for (Eigen::Index j = 0; j < net.cols(); ++j)
      for (Eigen::Index i = 0; i < net.rows(); ++i) see(net.A()(i, j));
    for (int l = 0; l < net.layers(); ++l) {
      see_real(net.theta()[l]);
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
  if (type != want) {
    const bool file_complex = type.rfind("complex-", 0) == 0;
    if (file_complex != is_complex_v<T>)
      throw std::invalid_argument(
          std::string("the file holds a ") + (file_complex ? "complex" : "real") +
          " LISTA network (type '" + type.substr(0, 60) + "') but it is being loaded as the " +
          (is_complex_v<T> ? "complex" : "real") + " type '" + want + "'");
    throw std::invalid_argument("the file holds a LISTA network of type '" + type.substr(0, 60) +
                                "' but it is being loaded as '" + want + "'");
  }
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
  real_of<T> a_norm = rd.number<real_of<T>>("||A||_2");
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
  std::vector<real_of<T>> theta;
  for (long i = 0; i < L; ++i)
    theta.push_back(rd.number<real_of<T>>("theta_" + std::to_string(i)));
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

// Explicit instantiation of everything above for one scalar type.
#define BARRIERS_LISTA_INSTANTIATE(T)                                                          \
  template class ListaNetwork<T>;                                                              \
  template real_of<T> lista_default_adam_epsilon<T>();                                         \
  template real_of<T> lista_published_learning_rate<T>(int);                                   \
  template ListaTrainResult<T> lista_train<T>(ListaNetwork<T>&, const Matrix<T>&,              \
                                              const Matrix<T>&, const Matrix<T>&,              \
                                              const Matrix<T>&, const ListaTrainSettings<T>&); \
  template void lista_save<T>(const ListaNetwork<T>&, std::ostream&);                          \
  template void lista_save<T>(const ListaNetwork<T>&, const std::string&);                     \
  template ListaNetwork<T> lista_load<T>(std::istream&);                                       \
  template ListaNetwork<T> lista_load<T>(const std::string&);

}  // namespace barriers
