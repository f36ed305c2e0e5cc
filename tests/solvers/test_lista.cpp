// LISTA, real and complex: gradient against finite differences, training,
// reproducibility, exact save/load and input validation.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include <Eigen/SVD>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/precision/traits.hpp"
#include "barriers/solvers/lista.hpp"

using namespace barriers;

// Every malloc in this test binary is counted (and passed on to glibc), so a
// test can check that a loop does not allocate. Left out under the address
// and thread sanitizers, which supply their own malloc.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define LISTA_TEST_COUNTS_MALLOC 1
#include <atomic>
extern "C" void* __libc_malloc(std::size_t);
namespace {
std::atomic<long> malloc_calls{0};
}  // namespace
extern "C" void* malloc(std::size_t n) {
  malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
#endif

namespace {

// Test data only needs to be reproducible within one run of this binary, so a
// plain Box-Muller in double is fine here; converting a double to any wider
// type is exact, so every type sees the same numbers.
struct TestRng {
  std::mt19937_64 rng;
  explicit TestRng(std::uint64_t seed) : rng(seed) {}
  double uniform() { return double(rng() >> 11) * 0x1p-53; }
  double normal() {
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
};

template <class T>
Matrix<T> gaussian(TestRng& r, Eigen::Index m, Eigen::Index n, double scale = 1.0) {
  Matrix<T> M(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) M(i, j) = T(scale * r.normal());
  return M;
}

// R columns, each with s nonzero N(0,1) entries at random positions.
template <class T>
Matrix<T> sparse_columns(TestRng& r, Eigen::Index N, Eigen::Index R, int s) {
  Matrix<T> X = Matrix<T>::Zero(N, R);
  for (Eigen::Index c = 0; c < R; ++c)
    for (int k = 0; k < s; ++k) X(Eigen::Index(r.rng() % std::uint64_t(N)), c) = T(r.normal());
  return X;
}

// Smallest distance of any pre-threshold value z to a kink (|z| = theta_i) over
// all layers and samples: an independent re-implementation of the forward
// pass, written straight from the formula x <- soft(x + W^T (y - A x / s)).
template <class T>
T kink_margin(const ListaNetwork<T>& net, const Matrix<T>& Y) {
  using std::abs;
  const T s = T(10) * net.a_norm();
  T margin = std::numeric_limits<double>::max();
  Matrix<T> x = Matrix<T>::Zero(net.cols(), Y.cols());
  for (int i = 0; i < net.layers(); ++i) {
    const Matrix<T> r = Y - net.A() * x / s;
    const Matrix<T> z = x + net.W()[i].transpose() * r;
    const T& t = net.theta()[i];
    for (Eigen::Index c = 0; c < z.cols(); ++c)
      for (Eigen::Index k = 0; k < z.rows(); ++k) {
        const T d = abs(abs(z(k, c)) - t);
        if (d < margin) margin = d;
        x(k, c) = z(k, c) > t ? T(z(k, c) - t) : z(k, c) < -t ? T(z(k, c) + t) : T(0);
      }
  }
  return margin;
}

// A network whose thresholds are active on some entries and not on others
// (the published initialisation makes every theta ~ 1e-7, so nothing would be
// thresholded and dLoss/dtheta would barely be tested).
template <class T>
ListaNetwork<T> test_network(TestRng& r, const Matrix<T>& A, int layers) {
  std::vector<Matrix<T>> W;
  std::vector<T> theta;
  for (int i = 0; i < layers; ++i) {
    W.push_back(gaussian<T>(r, A.rows(), A.cols(), 0.5));
    theta.push_back(T(0.05 + 0.2 * r.uniform()));
  }
  // ||A||_2 is only a scale here; any positive value exercises the formula.
  return ListaNetwork<T>(A, T(3), W, theta);
}

struct Problem {
  Matrix<double> A, Yt, Xt, Yv, Xv;
};

Problem training_problem(std::uint64_t seed) {
  TestRng r(seed);
  Problem p;
  p.A = gaussian<double>(r, 10, 20, 1.0 / std::sqrt(10.0));
  p.Xt = sparse_columns<double>(r, 20, 400, 2);
  p.Xv = sparse_columns<double>(r, 20, 100, 2);
  p.Yt = p.A * p.Xt;
  p.Yv = p.A * p.Xv;
  return p;
}

ListaTrainSettings<double> quick_settings() {
  ListaTrainSettings<double> s;
  s.epochs = 40;
  s.batch_size = 50;
  s.learning_rate = 5e-3;
  s.shuffle_seed = 7;
  return s;
}

template <class T>
bool same_bits(const T& a, const T& b) {
  if constexpr (number_traits<T>::is_complex) {
    return same_bits(a.real(), b.real()) && same_bits(a.imag(), b.imag());
  } else if constexpr (number_traits<T>::runtime_precision) {
    return a == b && mpfr_get_prec(a.backend().data()) == mpfr_get_prec(b.backend().data()) &&
           signbit(a) == signbit(b);
  } else {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  }
}

template <class T>
bool same_weights(const ListaNetwork<T>& a, const ListaNetwork<T>& b) {
  if (a.layers() != b.layers() || !same_bits(a.a_norm(), b.a_norm())) return false;
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i)
      if (!same_bits(a.A()(i, j), b.A()(i, j))) return false;
  for (int l = 0; l < a.layers(); ++l) {
    if (!same_bits(a.theta()[l], b.theta()[l])) return false;
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      for (Eigen::Index i = 0; i < a.rows(); ++i)
        if (!same_bits(a.W()[l](i, j), b.W()[l](i, j))) return false;
  }
  return true;
}

// Central differences of the loss in every weight, in T.
template <class T>
ListaGradient<T> finite_differences(ListaNetwork<T> net, const Matrix<T>& Y, const Matrix<T>& X,
                                    const T& h) {
  ListaGradient<T> fd;
  auto W = net.W();
  auto theta = net.theta();
  // Divide by the step actually taken, (p + h) - (p - h), which is computed
  // exactly (Sterbenz), so rounding of p +- h does not bias the quotient.
  auto diff = [&](T& p) {
    const T p0 = p, plus = p0 + h, minus = p0 - h;
    p = plus;
    net.set_weights(W, theta);
    const T fp = net.loss(Y, X);
    p = minus;
    net.set_weights(W, theta);
    const T fm = net.loss(Y, X);
    p = p0;
    return T((fp - fm) / (plus - minus));
  };
  for (int l = 0; l < net.layers(); ++l) {
    fd.W.push_back(Matrix<T>(W[l].rows(), W[l].cols()));
    for (Eigen::Index j = 0; j < W[l].cols(); ++j)
      for (Eigen::Index i = 0; i < W[l].rows(); ++i) fd.W[l](i, j) = diff(W[l](i, j));
    fd.theta.push_back(diff(theta[l]));
  }
  return fd;
}

// ||a - b|| and ||b|| over all weights (W and theta together), and the largest
// entrywise difference.
template <class T>
void compare(const ListaGradient<T>& a, const ListaGradient<T>& b, T& diff_norm, T& ref_norm,
             T& max_diff) {
  using std::abs;
  using std::sqrt;
  T d2(0), r2(0);
  max_diff = T(0);
  auto one = [&](const T& x, const T& y) {
    const T d = abs(x - y);
    d2 += d * d;
    r2 += y * y;
    if (d > max_diff) max_diff = d;
  };
  for (std::size_t l = 0; l < a.W.size(); ++l) {
    for (Eigen::Index j = 0; j < a.W[l].cols(); ++j)
      for (Eigen::Index i = 0; i < a.W[l].rows(); ++i) one(a.W[l](i, j), b.W[l](i, j));
    one(a.theta[l], b.theta[l]);
  }
  diff_norm = sqrt(d2);
  ref_norm = sqrt(r2);
}

}  // namespace

TEST_CASE("LISTA gradient agrees with central differences at 256 bits") {
  PrecisionGuard g(256);
  using T = mpfr_real;
  TestRng r(2024);
  const Matrix<T> A = gaussian<T>(r, 4, 6);
  ListaNetwork<T> net = test_network<T>(r, A, 3);
  const Matrix<T> X = sparse_columns<T>(r, 6, 5, 2);
  const Matrix<T> Y = A * X + gaussian<T>(r, 4, 5, 0.1);

  // Between kinks the loss is exactly quadratic in any single weight: each layer
  // is affine in its own W_i and theta_i, and every later layer is linear in its
  // input once the pattern of thresholded entries is fixed. So the central
  // difference has no truncation error at all (the generic O(h^2 f''') term
  // vanishes), and its error is rounding only, about c eps |f| / h with eps =
  // 2^-255 ~ 1.7e-77. With h = 2^-70 ~ 8.5e-22 that is ~ 1e-55 |f|, far below
  // the 1e-30 required, and a pre-threshold value moves by at most h times a
  // modest constant (< 1e-19), so with a kink margin above 1e-10 no perturbed
  // evaluation crosses a kink.
  const T margin = kink_margin(net, Y);
  REQUIRE(margin > T(1e-10));
  const T h = ldexp(T(1), -70);

  T loss;
  const ListaGradient<T> grad = net.gradient(Y, X, &loss);
  CHECK(loss == net.loss(Y, X));
  const ListaGradient<T> fd = finite_differences(net, Y, X, h);

  T diff, ref, max_diff;
  compare(fd, grad, diff, ref, max_diff);
  REQUIRE(ref > T(1e-3));  // a nontrivial gradient
  // Some thresholds must be active, or dtheta would be vacuous.
  T theta_norm(0);
  for (const T& t : grad.theta) theta_norm += abs(t);
  REQUIRE(theta_norm > T(1e-6));
  CHECK(diff / ref < T(1e-30));
  CHECK(max_diff < T(1e-30) * ref);
  MESSAGE("relative FD error at 256 bits: " << double(diff / ref));
}

TEST_CASE_TEMPLATE("LISTA gradient agrees with central differences in each type", T, double,
                   long double, float128, mpfr_real) {
  PrecisionGuard g(160);  // affects only mpfr_real
  TestRng r(99);
  const Matrix<T> A = gaussian<T>(r, 5, 7);
  ListaNetwork<T> net = test_network<T>(r, A, 4);
  const Matrix<T> X = sparse_columns<T>(r, 7, 6, 2);
  const Matrix<T> Y = A * X;
  using std::sqrt;
  const T eps = number_traits<T>::epsilon();
  // As above the difference quotient is exact up to rounding, ~ eps |f| / h;
  // h = sqrt(eps) balances that against staying between kinks.
  const T h = sqrt(eps);
  REQUIRE(kink_margin(net, Y) > T(1e4) * h);
  const ListaGradient<T> grad = net.gradient(Y, X);
  const ListaGradient<T> fd = finite_differences(net, Y, X, h);
  T diff, ref, max_diff;
  compare(fd, grad, diff, ref, max_diff);
  REQUIRE(ref > T(1e-3));
  CHECK(diff / ref < T(100) * sqrt(eps));
}

TEST_CASE("LISTA forward: one sample equals the batch column; layer formula") {
  TestRng r(5);
  const Matrix<double> A = gaussian<double>(r, 3, 4);
  ListaNetwork<double> net = test_network<double>(r, A, 2);
  const Matrix<double> Y = gaussian<double>(r, 3, 3);
  const Matrix<double> F = net.forward(Y);
  for (Eigen::Index c = 0; c < Y.cols(); ++c) {
    const Vector<double> y = Y.col(c);
    CHECK(net.forward(y) == F.col(c));
  }
  // One layer by hand: x_1 = soft(W_0^T y) since x_0 = 0.
  ListaNetwork<double> one(A, net.a_norm(), {net.W()[0]}, {net.theta()[0]});
  const Vector<double> y = Y.col(0);
  const Vector<double> z = net.W()[0].transpose() * y;
  const Vector<double> x1 = one.forward(y);
  for (Eigen::Index k = 0; k < z.size(); ++k) {
    const double t = net.theta()[0];
    const double want = z(k) > t ? z(k) - t : z(k) < -t ? z(k) + t : 0.0;
    CHECK(x1(k) == doctest::Approx(want).epsilon(1e-14));
  }
}

TEST_CASE_TEMPLATE("LISTA forward with a tape: the same output, and every layer's z_i", T, double,
                   long double) {
  // 43 samples: in double the batch is computed in row tiles, one packet and
  // single rows, so every path of the kernels is on the tape.
  TestRng r(12);
  const Eigen::Index m = 5, N = 7, R = 43;
  const Matrix<T> A = gaussian<T>(r, m, N);
  const ListaNetwork<T> net = test_network<T>(r, A, 3);
  const Matrix<T> Y = gaussian<T>(r, m, R);
  std::vector<Matrix<T>> Z;
  const Matrix<T> F = net.forward(Y, Z);
  CHECK((F == net.forward(Y)));  // bit for bit
  REQUIRE(Z.size() == 3);
  auto soft = [](const Matrix<T>& z, T t) {
    Matrix<T> x(z.rows(), z.cols());
    for (Eigen::Index k = 0; k < z.size(); ++k)
      x(k) = z(k) > t ? T(z(k) - t) : z(k) < -t ? T(z(k) + t) : T(0);
    return x;
  };
  CHECK((F == soft(Z[2], net.theta()[2])));  // x_L = soft(z_L), exactly
  // z_i = x_{i-1} + W_i^T (Y - As x_{i-1}) from the taped x_{i-1}: sums of at
  // most n = m + N + 1 terms, so within n eps times the sum of |terms|.
  const T eps = std::numeric_limits<T>::epsilon();
  const Matrix<T>& As = net.A_scaled();
  for (int i = 0; i < 3; ++i) {
    const Matrix<T> x = i == 0 ? Matrix<T>(Matrix<T>::Zero(N, R)) : soft(Z[i - 1], net.theta()[i - 1]);
    const Matrix<T> want = x + net.W()[i].transpose() * (Y - As * x);
    const Matrix<T> size = x.cwiseAbs() + net.W()[i].transpose().cwiseAbs() *
                                              (Y.cwiseAbs() + As.cwiseAbs() * x.cwiseAbs());
    REQUIRE(Z[i].rows() == N);
    REQUIRE(Z[i].cols() == R);
    CHECK(((Z[i] - want).cwiseAbs().array() <= T(m + N + 1) * eps * size.array()).all());
  }
}

TEST_CASE("LISTA initialisation follows the published distribution and is reproducible") {
  TestRng r(11);
  const Matrix<double> A = gaussian<double>(r, 21, 22);
  const ListaNetwork<double> a(A, 10, 42), b(A, 10, 42), c(A, 10, 43);
  CHECK(same_weights(a, b));
  CHECK_FALSE(same_weights(a, c));
  Eigen::JacobiSVD<Matrix<double>> svd(A);
  CHECK(a.a_norm() == doctest::Approx(svd.singularValues()(0)).epsilon(1e-14));
  // 4620 draws of 10 ||A|| W ~ N(0, 1): sample mean within 4.5 sigma/sqrt(n),
  // sample variance within 4.5 sqrt(2/n) of 1 (fixed seed: a deterministic check
  // that the mapping to normals is right, not a flaky statistical test).
  double sum = 0, sum2 = 0;
  int n = 0;
  for (int l = 0; l < a.layers(); ++l) {
    CHECK(a.theta()[l] >= 0.0);
    CHECK(a.theta()[l] < 1e-7);
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i) {
        const double w = a.W()[l](i, j) * 10 * a.a_norm();
        sum += w;
        sum2 += w * w;
        ++n;
      }
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  CHECK(std::abs(mean) < 4.5 / std::sqrt(double(n)));
  CHECK(std::abs(var - 1) < 4.5 * std::sqrt(2.0 / n));

  // Other initialisation settings: the same draws, rescaled and shifted.
  ListaInit<double> init;
  init.a_norm = 2.0;
  init.weight_stddev = 0.05;  // the published code's TensorFlow default
  init.theta_min = 1e-3;
  init.theta_max = 2e-3;
  const ListaNetwork<double> d(A, 10, 42, init);
  CHECK(d.a_norm() == 2.0);
  for (int l = 0; l < d.layers(); ++l) {
    CHECK(d.theta()[l] >= 1e-3);
    CHECK(d.theta()[l] < 2e-3);
    CHECK(d.W()[l](3, 4) * 20 / 0.05 == doctest::Approx(a.W()[l](3, 4) * 10 * a.a_norm()).epsilon(1e-14));
  }
  init.theta_min = 3e-3;
  CHECK_THROWS_WITH_AS(ListaNetwork<double>(A, 10, 42, init), doctest::Contains("theta range"),
                       std::invalid_argument);

  // The same in MPFR at an odd precision: reproducible, and the weights agree
  // with the double network's to double precision (the same real draws, each
  // type rounding them once; ||A||_2 differs by rounding only).
  PrecisionGuard g(300);
  const Matrix<mpfr_real> Am = A.cast<mpfr_real>();
  const ListaNetwork<mpfr_real> m1(Am, 10, 42), m2(Am, 10, 42);
  CHECK(same_weights(m1, m2));
  double worst = 0;
  for (int l = 0; l < a.layers(); ++l) {
    worst = std::max(worst, std::abs(double(m1.theta()[l]) - a.theta()[l]) / 1e-7);
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i)
        worst = std::max(worst, std::abs(double(m1.W()[l](i, j)) - a.W()[l](i, j)) /
                                    std::abs(a.W()[l](i, j)));
  }
  CHECK(worst < 1e-13);
}

TEST_CASE("LISTA training reduces the validation loss and keeps the best weights") {
  const Problem p = training_problem(3);
  ListaNetwork<double> net(p.A, 6, 1);
  std::vector<int> seen;
  ListaTrainSettings<double> s = quick_settings();
  s.observer = [&](const ListaEpoch<double>& e) {
    seen.push_back(e.epoch);
    return ListaObserverAction::proceed;
  };
  const ListaTrainResult<double> res = lista_train(net, p.Yt, p.Xt, p.Yv, p.Xv, s);
  CHECK(res.termination == ListaTermination::completed);
  CHECK(res.epochs_run == s.epochs);
  REQUIRE(res.history.size() == std::size_t(s.epochs + 1));
  CHECK(seen.size() == res.history.size());
  CHECK(res.history[0].validation_loss == res.initial_validation_loss);
  MESSAGE("validation MSE: initial " << res.initial_validation_loss << ", best "
                                     << res.best_validation_loss << " at epoch " << res.best_epoch);
  CHECK(res.best_epoch > 0);
  CHECK(res.best_validation_loss < 0.3 * res.initial_validation_loss);
  // The network holds the best epoch's weights: its loss is that epoch's, bit
  // for bit (same code path), and no epoch did better.
  CHECK(net.loss(p.Yv, p.Xv) == res.best_validation_loss);
  for (const auto& e : res.history) CHECK(e.validation_loss >= res.best_validation_loss);
  CHECK(res.history[std::size_t(res.best_epoch)].validation_loss == res.best_validation_loss);
  for (const double t : net.theta()) CHECK(t >= 0.0);

  // Relative metric: same training, different selection number.
  ListaNetwork<double> net2(p.A, 6, 1);
  s.validation_metric = ListaValidationMetric::relative_squared_error;
  s.observer = nullptr;
  const ListaTrainResult<double> rel = lista_train(net2, p.Yt, p.Xt, p.Yv, p.Xv, s);
  const Matrix<double> F = net2.forward(p.Yv);
  CHECK(rel.best_validation_loss ==
        doctest::Approx((F - p.Xv).squaredNorm() / p.Xv.squaredNorm()).epsilon(1e-12));
  CHECK(rel.best_validation_loss < 0.3);
}

TEST_CASE("LISTA observer can stop training") {
  const Problem p = training_problem(4);
  ListaNetwork<double> net(p.A, 3, 2);
  ListaTrainSettings<double> s = quick_settings();
  s.observer = [](const ListaEpoch<double>& e) {
    return e.epoch == 3 ? ListaObserverAction::stop : ListaObserverAction::proceed;
  };
  const ListaTrainResult<double> res = lista_train(net, p.Yt, p.Xt, p.Yv, p.Xv, s);
  CHECK(res.termination == ListaTermination::stopped_by_observer);
  CHECK(res.epochs_run == 3);
  CHECK(res.history.size() == 4);
}

TEST_CASE("LISTA training stops on a non-finite loss and keeps the best weights") {
  const Problem p = training_problem(4);
  ListaNetwork<double> net(p.A, 3, 2);
  const ListaNetwork<double> initial = net;
  ListaTrainSettings<double> s = quick_settings();
  s.learning_rate = 1e200;  // the first step sends the weights to ~1e200; products overflow
  const ListaTrainResult<double> res = lista_train(net, p.Yt, p.Xt, p.Yv, p.Xv, s);
  CHECK(res.termination == ListaTermination::non_finite_loss);
  CHECK(res.epochs_run < s.epochs);
  CHECK(res.best_epoch == 0);
  CHECK(same_weights(net, initial));
}

TEST_CASE("LISTA training is reproducible from its seeds") {
  const Problem p = training_problem(5);
  ListaTrainSettings<double> s = quick_settings();
  s.epochs = 10;
  ListaNetwork<double> a(p.A, 4, 9), b(p.A, 4, 9), c(p.A, 4, 9);
  const auto ra = lista_train(a, p.Yt, p.Xt, p.Yv, p.Xv, s);
  const auto rb = lista_train(b, p.Yt, p.Xt, p.Yv, p.Xv, s);
  s.shuffle_seed += 1;
  const auto rc = lista_train(c, p.Yt, p.Xt, p.Yv, p.Xv, s);
  REQUIRE(ra.history.size() == rb.history.size());
  bool identical = true, differs = false;
  for (std::size_t k = 0; k < ra.history.size(); ++k) {
    identical = identical && same_bits(ra.history[k].train_loss, rb.history[k].train_loss) &&
                same_bits(ra.history[k].validation_loss, rb.history[k].validation_loss);
    differs = differs || ra.history[k].train_loss != rc.history[k].train_loss;
  }
  CHECK(identical);
  CHECK(same_weights(a, b));
  CHECK(ra.best_epoch == rb.best_epoch);
  CHECK(differs);  // the shuffle seed is actually used
}

#ifdef LISTA_TEST_COUNTS_MALLOC
TEST_CASE("LISTA training in double allocates nothing per step") {
  // 400 samples in batches of 30: 13 full batches and a remainder of 10, so
  // both batch widths are exercised. Extra epochs may cost at most one
  // allocation each (the history vector growing); before the training
  // workspace every step allocated several buffers per layer.
  const Problem p = training_problem(4);
  auto count = [&](int epochs) {
    ListaNetwork<double> net(p.A, 4, 2);
    ListaTrainSettings<double> s = quick_settings();
    s.epochs = epochs;
    s.batch_size = 30;
    const long before = malloc_calls.load();
    const auto res = lista_train(net, p.Yt, p.Xt, p.Yv, p.Xv, s);
    const long used = malloc_calls.load() - before;
    CHECK(res.epochs_run == epochs);
    return used;
  };
  const long few = count(2), many = count(12);
  MESSAGE("mallocs: 2 epochs " << few << ", 12 epochs " << many << " (140 more steps)");
  CHECK(few > 0);  // the counter sees the allocations training does make
  CHECK(many - few <= 10);
}
#endif

TEST_CASE("LISTA double: a batch backpropagated in row chunks gives the whole batch's gradient") {
  // At the Table-1 size (21 x 22, 10 layers) the double code backpropagates
  // at most 144 samples at a time (row_chunk in lista_impl.hpp: the per-layer
  // buffers of a chunk stay within 512 KB), so these 400 samples are three
  // chunks whose gradients are summed. long double runs the unchunked code
  // of the other types on the same weights (double values, exact in long
  // double). Bound as in the complex/real comparison: every gradient entry
  // is a sum of at most n = R + m + N products per layer through L layers,
  // so two evaluation orders differ by about 2 L n eps times the gradient's
  // size (first order, a factor 4 to spare); long double's own error is 2^11
  // times smaller.
  TestRng r(77);
  const int L = 10;
  const Eigen::Index m = 21, N = 22, R = 400;
  const Matrix<double> A = gaussian<double>(r, m, N, 1.0 / std::sqrt(double(m)));
  std::vector<Matrix<double>> W;
  std::vector<double> theta;
  for (int i = 0; i < L; ++i) {
    W.push_back(gaussian<double>(r, m, N, 0.1));
    theta.push_back(0.01 + 0.04 * r.uniform());
  }
  const ListaNetwork<double> net(A, 1.0, W, theta);
  const Matrix<double> X = sparse_columns<double>(r, N, R, 5);
  const Matrix<double> Y = A * X;
  using LD = long double;
  std::vector<Matrix<LD>> Wl;
  for (const auto& M : W) Wl.push_back(M.cast<LD>());
  const ListaNetwork<LD> ref(A.cast<LD>(), LD(1), Wl, std::vector<LD>(theta.begin(), theta.end()));
  const Matrix<LD> Yl = Y.cast<LD>(), Xl = X.cast<LD>();
  REQUIRE(kink_margin(ref, Yl) > LD(1e-9));  // no pre-threshold value near a kink

  double loss = 0;
  LD loss_ref = 0;
  const ListaGradient<double> g = net.gradient(Y, X, &loss);
  const ListaGradient<LD> gl = ref.gradient(Yl, Xl, &loss_ref);
  double scale = 0, worst = 0;
  for (int l = 0; l < L; ++l) {
    scale = std::max(scale, std::abs(double(gl.theta[l])));
    worst = std::max(worst, std::abs(double(LD(g.theta[l]) - gl.theta[l])));
    for (Eigen::Index k = 0; k < gl.W[l].size(); ++k) {
      scale = std::max(scale, std::abs(double(gl.W[l](k))));
      worst = std::max(worst, std::abs(double(LD(g.W[l](k)) - gl.W[l](k))));
    }
  }
  const double n = double(R + m + N), bound = 8 * L * n * 0x1p-52;
  MESSAGE("largest gradient entry " << scale << ", largest difference " << worst);
  CHECK(scale > 1e-6);  // not a comparison of vanishing gradients
  CHECK(worst <= bound * scale);
  CHECK(std::abs(double(LD(loss) - loss_ref)) <= bound * double(loss_ref));
}

TEST_CASE("LISTA training runs in MPFR") {
  PrecisionGuard g(128);
  using T = mpfr_real;
  TestRng r(8);
  const Matrix<T> A = gaussian<T>(r, 4, 6, 0.5);
  const Matrix<T> Xt = sparse_columns<T>(r, 6, 40, 1), Xv = sparse_columns<T>(r, 6, 10, 1);
  const Matrix<T> Yt = A * Xt, Yv = A * Xv;
  ListaNetwork<T> net(A, 3, 4);
  ListaTrainSettings<T> s;
  s.epochs = 10;
  s.batch_size = 10;
  s.learning_rate = T(1) / T(100);
  const auto res = lista_train(net, Yt, Xt, Yv, Xv, s);
  CHECK(res.best_validation_loss < res.initial_validation_loss);
  CHECK(lista_default_adam_epsilon<double>() == 1e-8);
  CHECK(lista_published_learning_rate<double>(3) == doctest::Approx(2e-5).epsilon(1e-14));
  const T lr6 = lista_published_learning_rate<T>(6), want = T(2) / T(1000000);
  CHECK(abs(lr6 - want) < T(4) * number_traits<T>::epsilon() * want);
  // 1e-8 sqrt(eps_T / eps_double): 2^-37.5 1e-8 ~ 5.1e-20 at 128 bits.
  CHECK(lista_default_adam_epsilon<T>() < T(1e-19));
  CHECK(lista_default_adam_epsilon<T>() > T(1e-20));
}

TEST_CASE_TEMPLATE("LISTA save/load round-trips every weight bit for bit", T, double, mpfr_real) {
  PrecisionGuard g(300);
  TestRng r(17);
  const Matrix<T> A = gaussian<T>(r, 5, 7);
  ListaNetwork<T> net(A, 4, 123);
  using std::ldexp;
  // Awkward values: -0, a subnormal-sized value (for IEEE), a large one.
  auto W = net.W();
  auto theta = net.theta();
  W[0](0, 0) = -T(0);
  W[1](2, 3) = T(std::numeric_limits<double>::denorm_min()) * T(3);
  W[2](4, 6) = ldexp(T(1), 900) * T(3);
  theta[1] = T(0);
  net.set_weights(W, theta);

  std::stringstream ss;
  lista_save(net, ss);
  const std::string text = ss.str();
  CHECK(text.find("precision_bits " + std::to_string(number_traits<T>::precision_bits()) + "\n") !=
        std::string::npos);
  MESSAGE("round trip at " << describe_type<T>());
  const ListaNetwork<T> back = lista_load<T>(ss);
  CHECK(same_weights(net, back));

  // A file on disk, saved again: the text is identical.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("barriers_lista_" + number_traits<T>::name() + ".txt"))
          .string();
  lista_save(back, path);
  const ListaNetwork<T> again = lista_load<T>(path);
  CHECK(same_weights(net, again));
  std::stringstream ss2;
  lista_save(again, ss2);
  CHECK(ss2.str() == text);
  std::filesystem::remove(path);
}

TEST_CASE("LISTA load rejects other types, too little precision and malformed files") {
  TestRng r(21);
  const Matrix<double> A = gaussian<double>(r, 3, 4);
  const ListaNetwork<double> net(A, 2, 5);
  std::stringstream ss;
  lista_save(net, ss);
  const std::string text = ss.str();
  auto load_double = [](const std::string& t) {
    std::istringstream in(t);
    return lista_load<double>(in);
  };

  {
    std::istringstream in(text);
    CHECK_THROWS_WITH_AS(lista_load<long double>(in),
                         doctest::Contains("of type 'double' but it is being loaded as 'long-double'"),
                         std::invalid_argument);
  }
  {
    // Built at ~300 bits, saved after the guard is gone: the header records the
    // precision of the values, not the one in force while saving.
    std::optional<ListaNetwork<mpfr_real>> hi;
    unsigned bits = 0;
    {
      PrecisionGuard g(300);
      bits = g.bits();
      hi.emplace(A.cast<mpfr_real>(), 2, 5);
    }
    std::stringstream hs;
    lista_save(*hi, hs);
    CHECK(hs.str().find("precision_bits " + std::to_string(bits) + "\n") != std::string::npos);
    const std::string saved = hs.str();
    {
      PrecisionGuard low(100);
      std::istringstream in(saved);
      CHECK_THROWS_WITH_AS(lista_load<mpfr_real>(in), doctest::Contains("working precision is"),
                           std::invalid_argument);
    }
    PrecisionGuard g(bits);
    std::istringstream in(saved);
    CHECK(same_weights(lista_load<mpfr_real>(in), *hi));
  }
  // Malformed: bad magic, truncated, a number that is not hexadecimal, a wrong
  // layer index, a negative threshold.
  CHECK_THROWS_WITH_AS(load_double("hello" + text), doctest::Contains("instead of 'barriers-lista'"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(load_double(text.substr(0, text.find("theta"))),
                       doctest::Contains("it ends where 'theta' was expected"), std::runtime_error);
  CHECK_THROWS_WITH_AS(load_double(text.substr(0, text.size() / 2)), doctest::Contains("W_0"),
                       std::runtime_error);
  std::string bad = text;
  const std::size_t w0 = bad.find("W 0\n") + 4;
  bad.replace(w0, bad.find(' ', w0) - w0, "1.5e-3");
  CHECK_THROWS_WITH_AS(load_double(bad), doctest::Contains("W_0(0, 0) is '1.5e-3'"),
                       std::runtime_error);
  std::string badlayer = text;
  badlayer.replace(badlayer.find("W 1\n"), 4, "W 0\n");
  CHECK_THROWS_WITH_AS(load_double(badlayer), doctest::Contains("layer 0 appears"),
                       std::runtime_error);
  std::string negtheta = text;
  const std::size_t t0 = negtheta.find("theta\n") + 6;
  negtheta.insert(t0, "-");
  CHECK_THROWS_WITH_AS(load_double(negtheta), doctest::Contains("theta_0"), std::runtime_error);
  // A value that needs more bits than double has is a type mismatch.
  std::string wide = text;
  wide.replace(w0, wide.find(' ', w0) - w0, "0x1000000000000001p+0");
  CHECK_THROWS_WITH_AS(load_double(wide), doctest::Contains("not representable in double"),
                       std::invalid_argument);
  CHECK_THROWS_AS(lista_load<double>(std::string("/nonexistent/lista.txt")), std::runtime_error);
}

TEST_CASE("LISTA rejects bad settings and data, naming the value") {
  const Problem p = training_problem(6);
  CHECK_THROWS_WITH_AS(ListaNetwork<double>(p.A, 0, 1), doctest::Contains("layers = 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ListaNetwork<double>(Matrix<double>::Zero(3, 4), 2, 1),
                       doctest::Contains("||A||_2 = 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ListaNetwork<double>(p.A, 1.0, {Matrix<double>::Zero(10, 20)}, {-1.0}),
                       doctest::Contains("theta_0 = -1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ListaNetwork<double>(p.A, 1.0, {Matrix<double>::Zero(20, 10)}, {0.0}),
                       doctest::Contains("W_0 is 20 x 10; it must be 10 x 20"),
                       std::invalid_argument);

  ListaNetwork<double> net(p.A, 2, 1);
  auto train = [&](const ListaTrainSettings<double>& s) {
    return lista_train(net, p.Yt, p.Xt, p.Yv, p.Xv, s);
  };
  ListaTrainSettings<double> s = quick_settings();
  s.batch_size = 0;
  CHECK_THROWS_WITH_AS(train(s), doctest::Contains("batch_size = 0"), std::invalid_argument);
  s = quick_settings();
  s.epochs = 0;
  CHECK_THROWS_WITH_AS(train(s), doctest::Contains("epochs = 0"), std::invalid_argument);
  s = quick_settings();
  s.learning_rate = 0;
  CHECK_THROWS_WITH_AS(train(s), doctest::Contains("learning_rate = 0"), std::invalid_argument);
  s.learning_rate = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(train(s), doctest::Contains("learning_rate = NaN"), std::invalid_argument);
  s = quick_settings();
  s.beta2 = 1;
  CHECK_THROWS_WITH_AS(train(s), doctest::Contains("beta2 = 1"), std::invalid_argument);

  s = quick_settings();
  CHECK_THROWS_WITH_AS(lista_train(net, p.Xt, p.Xt, p.Yv, p.Xv, s),
                       doctest::Contains("Y_train has 20 rows; it must have m = 10"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(lista_train(net, p.Yt, p.Xt.leftCols(7).eval(), p.Yv, p.Xv, s),
                       doctest::Contains("X_train is 20 x 7; it must be 20 x 400"),
                       std::invalid_argument);
  Matrix<double> Xnan = p.Xt;
  Xnan(1, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(lista_train(net, p.Yt, Xnan, p.Yv, p.Xv, s),
                       doctest::Contains("X_train(1, 2) is NaN"), std::invalid_argument);
  Matrix<double> Yinf = p.Yv;
  Yinf(0, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(lista_train(net, p.Yt, p.Xt, Yinf, p.Xv, s),
                       doctest::Contains("Y_val(0, 0) is inf"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(net.forward(Vector<double>::Zero(3).eval()),
                       doctest::Contains("Y has 3 rows"), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Complex networks
// ---------------------------------------------------------------------------
namespace {

template <class C>
using RealOf = typename number_traits<C>::real_type;

// Entries with independent N(0, scale^2 / 2) real and imaginary parts.
template <class C>
Matrix<C> complex_gaussian(TestRng& r, Eigen::Index m, Eigen::Index n, double scale = 1.0) {
  using R = RealOf<C>;
  const double s = scale / std::sqrt(2.0);
  Matrix<C> M(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      const double re = s * r.normal(), im = s * r.normal();
      M(i, j) = C(R(re), R(im));
    }
  return M;
}

template <class C>
Matrix<C> complex_sparse_columns(TestRng& r, Eigen::Index N, Eigen::Index R, int s) {
  using Re = RealOf<C>;
  Matrix<C> X = Matrix<C>::Zero(N, R);
  for (Eigen::Index c = 0; c < R; ++c)
    for (int k = 0; k < s; ++k) {
      const Eigen::Index i = Eigen::Index(r.rng() % std::uint64_t(N));
      const double re = r.normal(), im = r.normal();
      X(i, c) = C(Re(re), Re(im));
    }
  return X;
}

template <class C>
Matrix<C> complexify(const Matrix<RealOf<C>>& M) {
  Matrix<C> out(M.rows(), M.cols());
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    for (Eigen::Index i = 0; i < M.rows(); ++i) out(i, j) = C(M(i, j), RealOf<C>(0));
  return out;
}

// An independent complex forward pass, straight from the formula
// x <- soft(x + W^H (y - A x / s)) with Eigen's complex arithmetic; returns the
// output and the smallest distance of any |z| to its threshold.
template <class C>
Matrix<C> reference_forward(const ListaNetwork<C>& net, const Matrix<C>& Y, RealOf<C>& margin) {
  using R = RealOf<C>;
  using std::abs;
  const C s = C(R(10) * net.a_norm(), R(0));
  margin = R(std::numeric_limits<double>::max());
  Matrix<C> x = Matrix<C>::Zero(net.cols(), Y.cols());
  for (int i = 0; i < net.layers(); ++i) {
    const Matrix<C> r = Y - net.A() * x / s;
    const Matrix<C> z = x + net.W()[i].adjoint() * r;
    const R& t = net.theta()[i];
    for (Eigen::Index c = 0; c < z.cols(); ++c)
      for (Eigen::Index k = 0; k < z.rows(); ++k) {
        const R m = abs(z(k, c));
        const R d = abs(R(m - t));
        if (d < margin) margin = d;
        x(k, c) = m > t ? C(z(k, c) * C((m - t) / m, R(0))) : C(R(0), R(0));
      }
  }
  return x;
}

template <class C>
ListaNetwork<C> complex_test_network(TestRng& r, const Matrix<C>& A, int layers) {
  using R = RealOf<C>;
  std::vector<Matrix<C>> W;
  std::vector<R> theta;
  for (int i = 0; i < layers; ++i) {
    W.push_back(complex_gaussian<C>(r, A.rows(), A.cols(), 0.7));
    theta.push_back(R(0.05 + 0.2 * r.uniform()));
  }
  return ListaNetwork<C>(A, R(3), W, theta);
}

// Central differences of the loss in the real and in the imaginary part of
// every W entry (combined as d/dRe + i d/dIm, the gradient's convention) and in
// every theta.
template <class C>
ListaGradient<C> complex_finite_differences(ListaNetwork<C> net, const Matrix<C>& Y,
                                            const Matrix<C>& X, const RealOf<C>& h) {
  using R = RealOf<C>;
  ListaGradient<C> fd;
  auto W = net.W();
  auto theta = net.theta();
  auto loss_at = [&]() {
    net.set_weights(W, theta);
    return net.loss(Y, X);
  };
  // As in the real test, divide by the step actually taken.
  auto diff = [&](auto get, auto set) {
    const R p0 = get(), plus = p0 + h, minus = p0 - h;
    set(plus);
    const R fp = loss_at();
    set(minus);
    const R fm = loss_at();
    set(p0);
    return R((fp - fm) / (plus - minus));
  };
  for (int l = 0; l < net.layers(); ++l) {
    fd.W.push_back(Matrix<C>(W[l].rows(), W[l].cols()));
    for (Eigen::Index j = 0; j < W[l].cols(); ++j)
      for (Eigen::Index i = 0; i < W[l].rows(); ++i) {
        C& w = W[l](i, j);
        const R d_re = diff([&] { return R(w.real()); }, [&](const R& v) { w.real(v); });
        const R d_im = diff([&] { return R(w.imag()); }, [&](const R& v) { w.imag(v); });
        fd.W[l](i, j) = C(d_re, d_im);
      }
    fd.theta.push_back(diff([&] { return theta[l]; }, [&](const R& v) { theta[l] = v; }));
  }
  return fd;
}

// ||a - b||, ||b|| and the largest component difference, every real and
// imaginary part a separate component.
template <class C>
void complex_compare(const ListaGradient<C>& a, const ListaGradient<C>& b, RealOf<C>& diff_norm,
                     RealOf<C>& ref_norm, RealOf<C>& max_diff) {
  using R = RealOf<C>;
  using std::abs;
  using std::sqrt;
  R d2(0), r2(0);
  max_diff = R(0);
  auto one = [&](const R& x, const R& y) {
    const R d = abs(R(x - y));
    d2 += d * d;
    r2 += y * y;
    if (d > max_diff) max_diff = d;
  };
  for (std::size_t l = 0; l < a.W.size(); ++l) {
    for (Eigen::Index j = 0; j < a.W[l].cols(); ++j)
      for (Eigen::Index i = 0; i < a.W[l].rows(); ++i) {
        one(a.W[l](i, j).real(), b.W[l](i, j).real());
        one(a.W[l](i, j).imag(), b.W[l](i, j).imag());
      }
    one(a.theta[l], b.theta[l]);
  }
  diff_norm = sqrt(d2);
  ref_norm = sqrt(r2);
}

}  // namespace

TEST_CASE("LISTA complex gradient agrees with central differences at 256 bits") {
  PrecisionGuard g(256);
  using C = std::complex<mpfr_real>;
  using R = mpfr_real;
  TestRng r(4048);
  const Matrix<C> A = complex_gaussian<C>(r, 4, 6);
  const ListaNetwork<C> net = complex_test_network<C>(r, A, 3);
  const Matrix<C> X = complex_sparse_columns<C>(r, 6, 5, 2);
  const Matrix<C> Y = A * X + complex_gaussian<C>(r, 4, 5, 0.1);

  // The network against an independent evaluation of the layer formula.
  R margin;
  const Matrix<C> F_ref = reference_forward(net, Y, margin);
  const Matrix<C> F = net.forward(Y);
  R worst(0);
  for (Eigen::Index c = 0; c < F.cols(); ++c)
    for (Eigen::Index k = 0; k < F.rows(); ++k) {
      const R d = abs(C(F(k, c) - F_ref(k, c)));
      if (d > worst) worst = d;
    }
  CHECK(worst < R(1e-70));

  // The step. Between kinks the loss is smooth but, unlike the real network,
  // not piecewise quadratic in a weight (the phase z/|z| is not polynomial), so
  // the central difference D(h) = f' + h^2 f'''/6 + O(h^4) has truncation
  // error as well as rounding error ~ c eps |f| / h (eps = 2^-255 ~ 1.7e-77,
  // c ~ 1e3 for the few hundred operations of a loss). h = 2^-80 ~ 8.3e-25
  // puts the rounding part at ~ 1e-50 |f|. For the truncation part we measure
  // f''' instead of guessing it: at H = 2^-40 the difference D(H) - f' is
  // ~ H^2 f'''/6 (rounding there is ~ 1e-62), and the truncation at h is that
  // times (h/H)^2 = 2^-80 ~ 8e-25. Both must be below 1e-31 of the gradient
  // norm. Every |z| moves by at most ~ h (resp. H) times a modest constant,
  // so a kink margin above 1e-8 keeps all perturbed evaluations between kinks.
  REQUIRE(margin > R(1e-8));
  const R h = ldexp(R(1), -80), H = ldexp(R(1), -40);

  R loss;
  const ListaGradient<C> grad = net.gradient(Y, X, &loss);
  CHECK(loss == net.loss(Y, X));
  const ListaGradient<C> fd = complex_finite_differences(net, Y, X, h);
  const ListaGradient<C> fd_big = complex_finite_differences(net, Y, X, H);

  R diff, ref, max_diff, big_diff, big_ref, big_max;
  complex_compare(fd, grad, diff, ref, max_diff);
  complex_compare(fd_big, grad, big_diff, big_ref, big_max);
  REQUIRE(ref > R(1e-3));
  const R truncation_bound = big_max * ldexp(R(1), -80);
  CHECK(truncation_bound < R(1e-31) * ref);
  CHECK(R(1e3) * number_traits<R>::epsilon() * abs(loss) / h < R(1e-31) * ref);
  // Every imaginary part and every threshold matters.
  R im_norm(0), theta_norm(0);
  for (const auto& M : grad.W)
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      for (Eigen::Index i = 0; i < M.rows(); ++i) im_norm += abs(M(i, j).imag());
  for (const R& t : grad.theta) theta_norm += abs(t);
  REQUIRE(im_norm > R(1e-3));
  REQUIRE(theta_norm > R(1e-6));
  CHECK(diff / ref < R(1e-30));
  CHECK(max_diff < R(1e-30) * ref);
  MESSAGE("complex: relative FD error at 256 bits " << double(diff / ref)
                                                    << ", truncation estimate "
                                                    << double(truncation_bound / ref));
}

TEST_CASE_TEMPLATE("LISTA complex gradient agrees with central differences in each type", C,
                   std::complex<double>, std::complex<long double>, std::complex<float128>,
                   std::complex<mpfr_real>) {
  PrecisionGuard g(160);  // affects only mpfr
  using R = RealOf<C>;
  TestRng r(77);
  const Matrix<C> A = complex_gaussian<C>(r, 5, 7);
  const ListaNetwork<C> net = complex_test_network<C>(r, A, 4);
  const Matrix<C> X = complex_sparse_columns<C>(r, 7, 6, 2);
  const Matrix<C> Y = A * X;
  using std::cbrt;
  // Truncation ~ h^2 |f'''| and rounding ~ eps |f| / h balance at h ~ eps^(1/3),
  // where both are ~ eps^(2/3).
  const R eps = number_traits<R>::epsilon();
  const R h = cbrt(eps);
  R margin;
  reference_forward(net, Y, margin);
  REQUIRE(margin > R(100) * h);
  const ListaGradient<C> grad = net.gradient(Y, X);
  const ListaGradient<C> fd = complex_finite_differences(net, Y, X, h);
  R diff, ref, max_diff;
  complex_compare(fd, grad, diff, ref, max_diff);
  REQUIRE(ref > R(1e-3));
  CHECK(diff / ref < R(100) * h * h);
  MESSAGE(describe_type<C>() << ": relative FD error " << double(diff / ref) << " (h^2 = "
                             << double(h * h) << ")");
}

TEST_CASE_TEMPLATE("LISTA complex network with real data reproduces the real network", T, double,
                   long double, float128, mpfr_real) {
  PrecisionGuard g(200);  // affects only mpfr
  using C = std::complex<T>;
  TestRng r(31);
  const Matrix<T> A = gaussian<T>(r, 5, 8);
  const ListaNetwork<T> real_net = test_network<T>(r, A, 4);
  const Matrix<T> X = sparse_columns<T>(r, 8, 12, 2);
  const Matrix<T> Y = A * X + gaussian<T>(r, 5, 12, 0.05);
  std::vector<Matrix<C>> W;
  for (const auto& M : real_net.W()) W.push_back(complexify<C>(M));
  const ListaNetwork<C> net(complexify<C>(A), real_net.a_norm(), W, real_net.theta());
  const Matrix<C> Yc = complexify<C>(Y), Xc = complexify<C>(X);

  // Bit for bit (== ignores the sign of zero, which is all that may differ):
  // with zero imaginary parts every complex product adds only zeros to the
  // real network's products, and (z/|z|)(|z| - t) = z -+ t exactly. Except
  // in double, whose real network has its own code for speed (samples as
  // rows, so Eigen's kernel sums the products in another order; for the
  // gradient also G <- (I - As^T W_i) G as one product and a lane-wise sum
  // for dL/dtheta): there the two agree to rounding. Each entry is a sum of
  // at most n = R + m + N products per layer, carried through L layers, so
  // the two evaluation orders differ by at most about 2 L n eps times the
  // size of the result (a first-order bound, with a factor 4 to spare).
  constexpr bool reorganised = std::is_same_v<T, double>;
  const double n = double(Y.cols() + A.rows() + A.cols());
  const T rel = reorganised ? T(8 * double(real_net.layers()) * n * 0x1p-52) : T(0);
  const Matrix<T> F = real_net.forward(Y);
  const Matrix<C> Fc = net.forward(Yc);
  T f_scale(0);
  for (Eigen::Index k = 0; k < F.size(); ++k) {
    using std::abs;
    f_scale = std::max<T>(f_scale, abs(F(k)));
  }
  bool same = true;
  for (Eigen::Index c = 0; c < F.cols(); ++c)
    for (Eigen::Index k = 0; k < F.rows(); ++k) {
      using std::abs;
      same = same && abs(T(Fc(k, c).real() - F(k, c))) <= rel * f_scale && Fc(k, c).imag() == 0;
    }
  CHECK(same);
  {
    using std::abs;
    const T lr = real_net.loss(Y, X);
    CHECK(abs(T(net.loss(Yc, Xc) - lr)) <= rel * lr);
  }

  // The gradient too: u = +-1 and beta = 0 make the complex backward step the
  // real one, and every imaginary part of the gradient is zero.
  T loss_r, loss_c;
  const ListaGradient<T> gr = real_net.gradient(Y, X, &loss_r);
  const ListaGradient<C> gc = net.gradient(Yc, Xc, &loss_c);
  {
    using std::abs;
    CHECK(abs(T(loss_c - loss_r)) <= rel * loss_r);
  }
  T scale(0);
  for (std::size_t l = 0; l < gr.W.size(); ++l) {
    using std::abs;
    scale = std::max<T>(scale, abs(gr.theta[l]));
    for (Eigen::Index k = 0; k < gr.W[l].size(); ++k) scale = std::max<T>(scale, abs(gr.W[l](k)));
  }
  const T tol = rel * scale;
  bool same_grad = true;
  for (std::size_t l = 0; l < gr.W.size(); ++l) {
    using std::abs;
    same_grad = same_grad && abs(T(gc.theta[l] - gr.theta[l])) <= tol;
    for (Eigen::Index j = 0; j < gr.W[l].cols(); ++j)
      for (Eigen::Index i = 0; i < gr.W[l].rows(); ++i)
        same_grad = same_grad && abs(T(gc.W[l](i, j).real() - gr.W[l](i, j))) <= tol &&
                    gc.W[l](i, j).imag() == 0;
  }
  CHECK(same_grad);
  CHECK(scale > 0);  // not a comparison of zero gradients
  int nonzero = 0;
  for (Eigen::Index k = 0; k < F.size(); ++k) nonzero += F(k) != 0;
  CHECK(nonzero > 0);  // the comparison is not between two zero outputs
}

TEST_CASE("LISTA complex training on real data reproduces real training") {
  // Zero imaginary gradients leave Adam's imaginary moments and parts at 0,
  // so the whole run is the real one. In long double: the real double network
  // has a faster backward pass that rounds differently from the complex one
  // (see the test above); long double takes the same arithmetic as the
  // complex path, like float128 and MPFR.
  using T = long double;
  using C = std::complex<T>;
  const Problem p = training_problem(9);
  const Matrix<T> A = p.A.cast<T>(), Yt = p.Yt.cast<T>(), Xt = p.Xt.cast<T>(),
                  Yv = p.Yv.cast<T>(), Xv = p.Xv.cast<T>();
  const ListaNetwork<T> init(A, 3, 5, ListaInit<T>{});
  ListaNetwork<T> real_net = init;
  std::vector<Matrix<C>> W;
  for (const auto& M : init.W()) W.push_back(complexify<C>(M));
  ListaNetwork<C> net(complexify<C>(A), init.a_norm(), W, init.theta());
  const ListaTrainSettings<double> q = quick_settings();
  ListaTrainSettings<T> s;
  s.epochs = 5;
  s.batch_size = q.batch_size;
  s.learning_rate = T(q.learning_rate);
  s.shuffle_seed = q.shuffle_seed;
  ListaTrainSettings<C> sc;
  sc.epochs = s.epochs;
  sc.batch_size = s.batch_size;
  sc.learning_rate = s.learning_rate;
  sc.shuffle_seed = s.shuffle_seed;
  const auto rr = lista_train(real_net, Yt, Xt, Yv, Xv, s);
  const auto rc = lista_train(net, complexify<C>(Yt), complexify<C>(Xt), complexify<C>(Yv),
                              complexify<C>(Xv), sc);
  REQUIRE(rr.history.size() == rc.history.size());
  bool same = true;
  for (std::size_t k = 0; k < rr.history.size(); ++k)
    same = same && rr.history[k].train_loss == rc.history[k].train_loss &&
           rr.history[k].validation_loss == rc.history[k].validation_loss;
  CHECK(same);
  CHECK(rc.best_epoch == rr.best_epoch);
  CHECK(rr.best_epoch > 0);  // training moved the weights
  bool same_w = true;
  for (int l = 0; l < net.layers(); ++l) {
    same_w = same_w && net.theta()[l] == real_net.theta()[l];
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i)
        same_w = same_w && net.W()[l](i, j) == C(real_net.W()[l](i, j), T(0));
  }
  CHECK(same_w);
}

TEST_CASE("LISTA complex initialisation: parts N(0, 1/2), reproducible, same draws in MPFR") {
  using C = std::complex<double>;
  TestRng r(12);
  const Matrix<C> A = complex_gaussian<C>(r, 21, 22, 1.0);
  const ListaNetwork<C> a(A, 10, 42), b(A, 10, 42), c(A, 10, 43);
  CHECK(same_weights(a, b));
  CHECK_FALSE(same_weights(a, c));
  // ||A||_2 is the top singular value of the real form [Re A, -Im A; Im A, Re A].
  Matrix<double> big(42, 44);
  big << A.real(), -A.imag(), A.imag(), A.real();
  CHECK(a.a_norm() == doctest::Approx(Eigen::JacobiSVD<Matrix<double>>(big).singularValues()(0)).epsilon(1e-13));
  // 4620 complex draws of 10 ||A|| w: each part has mean 0 and variance 1/2,
  // so E|.|^2 = 1 as for a real network (bounds as in the real test).
  double sum_re = 0, sum_im = 0, sq_re = 0, sq_im = 0;
  int n = 0;
  for (int l = 0; l < a.layers(); ++l)
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i) {
        const C w = a.W()[l](i, j) * (10 * a.a_norm());
        sum_re += w.real();
        sum_im += w.imag();
        sq_re += w.real() * w.real();
        sq_im += w.imag() * w.imag();
        ++n;
      }
  const double sd = std::sqrt(0.5);
  CHECK(std::abs(sum_re / n) < 4.5 * sd / std::sqrt(double(n)));
  CHECK(std::abs(sum_im / n) < 4.5 * sd / std::sqrt(double(n)));
  CHECK(std::abs(sq_re / n - 0.5) < 4.5 * 0.5 * std::sqrt(2.0 / n));
  CHECK(std::abs(sq_im / n - 0.5) < 4.5 * 0.5 * std::sqrt(2.0 / n));
  CHECK(std::abs((sq_re + sq_im) / n - 1) < 4.5 * std::sqrt(1.0 / n));
  for (int l = 0; l < a.layers(); ++l) CHECK(a.theta()[l] < 1e-7);

  // The same real draws in MPFR (given the same ||A||_2).
  PrecisionGuard g(300);
  using Cm = std::complex<mpfr_real>;
  Matrix<Cm> Am(A.rows(), A.cols());
  for (Eigen::Index j = 0; j < A.cols(); ++j)
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      Am(i, j) = Cm(mpfr_real(A(i, j).real()), mpfr_real(A(i, j).imag()));
  ListaInit<Cm> init;
  init.a_norm = mpfr_real(a.a_norm());
  const ListaNetwork<Cm> m(Am, 10, 42, init);
  double worst = 0;
  for (int l = 0; l < a.layers(); ++l)
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i) {
        const C w = a.W()[l](i, j);
        worst = std::max(worst, std::abs(double(m.W()[l](i, j).real()) - w.real()) / std::abs(w));
        worst = std::max(worst, std::abs(double(m.W()[l](i, j).imag()) - w.imag()) / std::abs(w));
      }
  CHECK(worst < 1e-15);
}

TEST_CASE("LISTA complex training reduces the validation loss") {
  using C = std::complex<double>;
  TestRng r(13);
  const Matrix<C> A = complex_gaussian<C>(r, 10, 20, 1.0 / std::sqrt(10.0));
  const Matrix<C> Xt = complex_sparse_columns<C>(r, 20, 400, 2);
  const Matrix<C> Xv = complex_sparse_columns<C>(r, 20, 100, 2);
  const Matrix<C> Yt = A * Xt, Yv = A * Xv;
  ListaNetwork<C> net(A, 6, 1);
  ListaTrainSettings<C> s;
  s.epochs = 40;
  s.batch_size = 50;
  s.learning_rate = 5e-3;
  s.shuffle_seed = 7;
  const ListaTrainResult<C> res = lista_train(net, Yt, Xt, Yv, Xv, s);
  CHECK(res.termination == ListaTermination::completed);
  MESSAGE("complex validation MSE: initial " << res.initial_validation_loss << ", best "
                                             << res.best_validation_loss << " at epoch "
                                             << res.best_epoch);
  CHECK(res.best_epoch > 0);
  CHECK(res.best_validation_loss < 0.3 * res.initial_validation_loss);
  CHECK(net.loss(Yv, Xv) == res.best_validation_loss);
  for (const auto& e : res.history) CHECK(e.validation_loss >= res.best_validation_loss);
  for (const double t : net.theta()) CHECK(t >= 0.0);
  // Imaginary parts were trained, not left at their initial values.
  const ListaNetwork<C> fresh(A, 6, 1);
  double moved = 0;
  for (int l = 0; l < net.layers(); ++l)
    moved += (net.W()[l].imag() - fresh.W()[l].imag()).norm() / fresh.W()[l].imag().norm();
  CHECK(moved > 0.01);

  // Relative metric: same training, different selection number.
  ListaNetwork<C> net2(A, 6, 1);
  s.validation_metric = ListaValidationMetric::relative_squared_error;
  const ListaTrainResult<C> rel = lista_train(net2, Yt, Xt, Yv, Xv, s);
  const Matrix<C> F = net2.forward(Yv);
  CHECK(rel.best_validation_loss ==
        doctest::Approx((F - Xv).squaredNorm() / Xv.squaredNorm()).epsilon(1e-12));
}

TEST_CASE("LISTA complex training runs in MPFR") {
  PrecisionGuard g(128);
  using C = std::complex<mpfr_real>;
  TestRng r(14);
  const Matrix<C> A = complex_gaussian<C>(r, 4, 6, 0.7);
  const Matrix<C> Xt = complex_sparse_columns<C>(r, 6, 40, 1), Xv = complex_sparse_columns<C>(r, 6, 10, 1);
  const Matrix<C> Yt = A * Xt, Yv = A * Xv;
  ListaNetwork<C> net(A, 3, 4);
  ListaTrainSettings<C> s;
  s.epochs = 10;
  s.batch_size = 10;
  s.learning_rate = mpfr_real(1) / 100;
  const auto res = lista_train(net, Yt, Xt, Yv, Xv, s);
  CHECK(res.best_validation_loss < res.initial_validation_loss);
  CHECK(lista_default_adam_epsilon<C>() == lista_default_adam_epsilon<mpfr_real>());
}

TEST_CASE_TEMPLATE("LISTA complex save/load round-trips every weight bit for bit", C,
                   std::complex<double>, std::complex<float128>, std::complex<mpfr_real>) {
  PrecisionGuard g(200);  // affects only mpfr
  using R = RealOf<C>;
  using std::ldexp;
  TestRng r(18);
  const Matrix<C> A = complex_gaussian<C>(r, 4, 5);
  ListaNetwork<C> net(A, 3, 321);
  // Awkward parts: -0 in either part, a subnormal-sized and a huge imaginary part.
  auto W = net.W();
  W[0](0, 0) = C(-R(0), R(1));
  W[0](1, 0) = C(R(2), -R(0));
  W[1](2, 3) = C(R(1), R(std::numeric_limits<double>::denorm_min()) * R(3));
  W[2](3, 4) = C(-R(0), ldexp(R(1), 900) * R(-3));
  net.set_weights(W, net.theta());

  std::stringstream ss;
  lista_save(net, ss);
  const std::string text = ss.str();
  CHECK(text.find("type " + number_traits<C>::name() + "\n") != std::string::npos);
  CHECK(text.find("type complex-") != std::string::npos);
  MESSAGE("complex round trip at " << describe_type<C>());
  const ListaNetwork<C> back = lista_load<C>(ss);
  CHECK(same_weights(net, back));
  CHECK(same_bits(back.W()[0](0, 0), C(-R(0), R(1))));
  CHECK(same_bits(back.W()[0](1, 0), C(R(2), -R(0))));
  std::stringstream ss2;
  lista_save(back, ss2);
  CHECK(ss2.str() == text);

  const std::string path = (std::filesystem::temp_directory_path() /
                            ("barriers_lista_" + number_traits<C>::name() + ".txt"))
                               .string();
  lista_save(back, path);
  CHECK(same_weights(net, lista_load<C>(path)));
  std::filesystem::remove(path);
}

TEST_CASE("LISTA complex: bad data and type mismatches are rejected") {
  using C = std::complex<double>;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  TestRng r(19);
  const Matrix<C> A = complex_gaussian<C>(r, 3, 4);
  ListaNetwork<C> net(A, 2, 5);
  const Matrix<C> X = complex_sparse_columns<C>(r, 4, 6, 1);
  const Matrix<C> Y = A * X;
  ListaTrainSettings<C> s;
  s.epochs = 1;

  Matrix<C> Xnan = X;
  Xnan(1, 2) = C(0.5, nan);
  CHECK_THROWS_WITH_AS(lista_train(net, Y, Xnan, Y, X, s),
                       doctest::Contains("X_train(1, 2) is 0.5+NaNi; every entry must be finite"),
                       std::invalid_argument);
  Matrix<C> Yinf = Y;
  Yinf(0, 3) = C(-std::numeric_limits<double>::infinity(), 1.0);
  CHECK_THROWS_WITH_AS(lista_train(net, Y, X, Yinf, X, s), doctest::Contains("Y_val(0, 3) is -inf+1i"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(net.gradient(Yinf, X), doctest::Contains("Y(0, 3) is -inf+1i"),
                       std::invalid_argument);
  Matrix<C> Anan = A;
  Anan(2, 1) = C(nan, 0.0);
  CHECK_THROWS_WITH_AS(ListaNetwork<C>(Anan, 2, 5), doctest::Contains("A(2, 1) is NaN+0i"),
                       std::invalid_argument);
  auto W = net.W();
  W[1](0, 0) = C(1.0, nan);
  CHECK_THROWS_WITH_AS(net.set_weights(W, net.theta()), doctest::Contains("W_1(0, 0) is 1+NaNi"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ListaNetwork<C>(A, 1.0, net.W(), {0.1, -1.0}),
                       doctest::Contains("theta_1 = -1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(lista_train(net, Y, X.leftCols(2).eval(), Y, X, s),
                       doctest::Contains("X_train is 4 x 2; it must be 4 x 6"), std::invalid_argument);

  // Complex files are not real files, nor the other way round.
  std::stringstream cs;
  lista_save(net, cs);
  const std::string ctext = cs.str();
  {
    std::istringstream in(ctext);
    CHECK_THROWS_WITH_AS(lista_load<double>(in),
                         doctest::Contains("the file holds a complex LISTA network (type "
                                           "'complex-double') but it is being loaded as the real "
                                           "type 'double'"),
                         std::invalid_argument);
  }
  {
    std::istringstream in(ctext);
    CHECK_THROWS_WITH_AS(lista_load<std::complex<long double>>(in),
                         doctest::Contains("of type 'complex-double' but it is being loaded as "
                                           "'complex-long-double'"),
                         std::invalid_argument);
  }
  {
    std::stringstream rs;
    lista_save(ListaNetwork<double>(A.real().eval(), 2, 5), rs);
    CHECK_THROWS_WITH_AS(lista_load<C>(rs),
                         doctest::Contains("the file holds a real LISTA network (type 'double') "
                                           "but it is being loaded as the complex type "
                                           "'complex-double'"),
                         std::invalid_argument);
  }
  {
    std::optional<ListaNetwork<std::complex<mpfr_real>>> hi;
    {
      PrecisionGuard g(300);
      Matrix<std::complex<mpfr_real>> Am(A.rows(), A.cols());
      for (Eigen::Index j = 0; j < A.cols(); ++j)
        for (Eigen::Index i = 0; i < A.rows(); ++i)
          Am(i, j) = std::complex<mpfr_real>(mpfr_real(A(i, j).real()), mpfr_real(A(i, j).imag()));
      hi.emplace(Am, 2, 5);
    }
    std::stringstream ms;
    lista_save(*hi, ms);
    PrecisionGuard low(100);
    CHECK_THROWS_WITH_AS(lista_load<std::complex<mpfr_real>>(ms),
                         doctest::Contains("working precision is"), std::invalid_argument);
  }
  // A file that ends after the real part of a complex entry.
  const std::size_t a0 = ctext.find("\nA\n") + 3;
  std::istringstream cut(ctext.substr(0, ctext.find(' ', a0)));
  CHECK_THROWS_WITH_AS(lista_load<C>(cut),
                       doctest::Contains("it ends where A(0, 0) (imaginary part) was expected"),
                       std::runtime_error);
}
