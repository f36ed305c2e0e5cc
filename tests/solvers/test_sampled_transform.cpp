// A = P_Omega U W^*: the composition, its certified norm bound and adjoint.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/sampled_transform.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "barriers/solvers/imaging/wavelet.hpp"
#include "barriers/solvers/operator_norm.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// A seeded subset of [0, N) of the given size, in random order.
std::vector<Eigen::Index> random_subset(Gaussian& g, Eigen::Index N, Eigen::Index m) {
  std::vector<Eigen::Index> all(static_cast<std::size_t>(N));
  for (Eigen::Index k = 0; k < N; ++k) all[k] = k;
  for (Eigen::Index k = N - 1; k > 0; --k) std::swap(all[k], all[g.bits() % std::uint64_t(k + 1)]);
  all.resize(static_cast<std::size_t>(m));
  return all;
}

template <class T>
void check_sampled(std::shared_ptr<const LinearOperator<T>> U, real_of<T> delta_U, ImageShape s, Gaussian& g) {
  using R = real_of<T>;
  auto W = std::make_shared<const WaveletTransform<T>>(s, 2, 2);
  const std::vector<Eigen::Index> omega = random_subset(g, s.size(), s.size() / 4);
  const SampledTransform<T> A(U, W, omega, delta_U, W->rounding_bound());
  CHECK(A.rows() == Eigen::Index(omega.size()));
  CHECK(A.cols() == s.size());
  // The composition, step by step (the same operations, so bitwise equal).
  const Vector<T> x = random_vector<T>(g, s.size());
  const Vector<T> full = U->forward(W->adjoint(x));
  const Vector<T> ax = A.forward(x);
  for (std::size_t r = 0; r < omega.size(); ++r) CHECK(ax(Eigen::Index(r)) == full(omega[r]));
  // ||A|| <= 1 exactly; the stored operator's bound is 1 + O(u log N) and
  // lies above what the power method sees.
  const R u = unit_roundoff<T>();
  CHECK(A.norm_bound() >= 1);
  CHECK(A.norm_bound() <= 1 + 4096 * u);
  CHECK(power_iteration(A, 30) <= A.norm_bound());
  // The filter's deviation from orthogonality is part of W's forward error
  // next to its rounding; both are O(u), so delta() stays O(u log N).
  check_adjoint_identity(A, A.delta(), g);
  // Omega = everything: A is unitary, ||A x|| = ||x|| up to delta.
  std::vector<Eigen::Index> all(static_cast<std::size_t>(s.size()));
  for (Eigen::Index k = 0; k < s.size(); ++k) all[k] = k;
  const SampledTransform<T> B(U, W, all, delta_U, W->rounding_bound());
  using std::abs;
  const R kappa_margin = 64 * R(s.size()) * u;  // the filter's defect and the norms' rounding
  CHECK(abs(R(B.forward(x).norm()) - R(x.norm())) <= (B.delta() + kappa_margin) * R(x.norm()));
}
}  // namespace

TEST_CASE_TEMPLATE("Fourier-wavelet sampling operator", T, BARRIERS_TEST_COMPLEX_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(971);
  const ImageShape s{16, 8};
  auto F = std::make_shared<const FourierTransform<T>>(s);
  check_sampled<T>(F, F->norm_bound() - 1, s, g);
}

TEST_CASE_TEMPLATE("Walsh-wavelet sampling operator", T, BARRIERS_TEST_ALL_TYPES) {
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(972);
  const ImageShape s{16, 16};
  auto H = std::make_shared<const WalshHadamard<T>>(s);
  check_sampled<T>(H, H->norm_bound() - 1, s, g);
}

TEST_CASE("sampled transform input errors") {
  using T = std::complex<double>;
  auto F = std::make_shared<const FourierTransform<T>>(ImageShape{8, 8});
  auto W = std::make_shared<const WaveletTransform<T>>(ImageShape{8, 8}, 1, 2);
  auto W16 = std::make_shared<const WaveletTransform<T>>(ImageShape{16, 1}, 1, 2);
  CHECK_THROWS_AS(SampledTransform<T>(F, W, {}), std::invalid_argument);
  CHECK_THROWS_AS(SampledTransform<T>(F, W, {3, 64}), std::invalid_argument);
  CHECK_THROWS_AS(SampledTransform<T>(F, W, {3, 3}), std::invalid_argument);
  CHECK_THROWS_AS(SampledTransform<T>(F, W16, {3}), std::invalid_argument);
  CHECK_THROWS_AS(SampledTransform<T>(nullptr, W, {3}), std::invalid_argument);
  CHECK_THROWS_AS(SampledTransform<T>(F, W, {3}, -1.0), std::invalid_argument);
  const SampledTransform<T> A(F, W, mask_to_indices(std::vector<bool>{false, true, false, true}));
  CHECK(A.omega() == std::vector<Eigen::Index>{1, 3});
  CHECK_THROWS_AS(A.adjoint(Vector<T>::Zero(3)), std::invalid_argument);
}

// The operators keep their temporaries in per-thread scratch (scratch.hpp
// in solvers/src/imaging): one operator applied from two threads at once, and
// a composition nested in a composition of the same type (which reaches the
// same scratch site while the outer call holds it), must give exactly the
// results of plain sequential calls.
TEST_CASE("sampled transform: threads and nesting do not share scratch") {
  using T = std::complex<double>;
  Gaussian g(973);
  const ImageShape s{32, 24};
  auto F = std::make_shared<const FourierTransform<T>>(s);
  auto W = std::make_shared<const WaveletTransform<T>>(s, 3, 2);
  const std::vector<Eigen::Index> omega = random_subset(g, s.size(), s.size() / 3);
  const SampledTransform<T> A(F, W, omega);
  std::vector<Vector<T>> xs, ys, want_x, want_y;
  for (int k = 0; k < 4; ++k) {
    xs.push_back(random_vector<T>(g, A.cols()));
    ys.push_back(random_vector<T>(g, A.rows()));
    want_x.push_back(A.forward(xs.back()));
    want_y.push_back(A.adjoint(ys.back()));
  }
  // Each thread cycles through all inputs many times; the other thread's
  // calls overlap with its own.
  std::atomic<int> wrong{0};
  auto work = [&](int first) {
    Vector<T> out;
    for (int rep = 0; rep < 200; ++rep) {
      const int k = (first + rep) % 4;
      A.apply(xs[k], out);
      if (out != want_x[k]) ++wrong;
      A.apply_adjoint(ys[k], out);
      if (out != want_y[k]) ++wrong;
    }
  };
  std::thread t1(work, 0), t2(work, 1);
  t1.join();
  t2.join();
  CHECK(wrong.load() == 0);

  // B = P_all A_full W2^*: its U is itself a sampled transform.
  std::vector<Eigen::Index> all(static_cast<std::size_t>(s.size()));
  for (Eigen::Index k = 0; k < s.size(); ++k) all[k] = k;
  auto inner = std::make_shared<const SampledTransform<T>>(F, W, all);
  auto W2 = std::make_shared<const WaveletTransform<T>>(s, 1, 1);
  const SampledTransform<T> B(inner, W2, omega);
  const Vector<T> x = random_vector<T>(g, B.cols()), y = random_vector<T>(g, B.rows());
  const Vector<T> full = inner->forward(W2->adjoint(x));
  const Vector<T> bx = B.forward(x);
  for (std::size_t r = 0; r < omega.size(); ++r) CHECK(bx(Eigen::Index(r)) == full(omega[r]));
  Vector<T> scattered = Vector<T>::Zero(s.size());
  for (std::size_t r = 0; r < omega.size(); ++r) scattered(omega[r]) = y(Eigen::Index(r));
  CHECK(B.adjoint(y) == W2->forward(inner->adjoint(scattered)));
}
