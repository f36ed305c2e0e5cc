// Exact input gradients of reconstruction maps (stability/*.hpp): FIRENET
// and LISTA against central finite differences, in double and at 256 bits,
// real and complex, and their forward passes against the networks'.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet_network.hpp"
#include "barriers/solvers/stability/firenet_gradient.hpp"
#include "barriers/solvers/stability/lista_gradient.hpp"
#include "barriers/solvers/stability/perturbation_loss.hpp"
#include "gmp_allocation_counter.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using barriers::test::Gaussian;
using barriers::test::random_matrix;
using barriers::test::random_vector;

namespace {

template <class T>
bool bitwise_equal(const Vector<T>& a, const Vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!(a(i) == b(i))) return false;
  return true;
}

// Central difference of F(y) = Re<c, Phi(y)> along d against Re<J^* c, d>;
// returns |fd - exact| / max(|exact|, ||J^* c|| ||d|| u-scale floor).
// Error of the difference quotient: h^2 |F'''| / 6 (truncation) plus about
// u |F| / h (rounding of F); the callers' tolerances follow from h and u.
template <class T>
real_of<T> directional_error(ReconstructionMap<T>& phi, const Vector<T>& y, const Vector<T>& c,
                             const Vector<T>& d, const real_of<T>& h) {
  using Real = real_of<T>;
  using std::abs;
  Vector<T> out, g;
  phi.forward(y, out);
  phi.backward(c, g);
  const Real exact = real_inner(g, d);
  phi.forward(Vector<T>(y + d * h), out);
  const Real fp = real_inner(c, out);
  phi.forward(Vector<T>(y - d * h), out);
  const Real fm = real_inner(c, out);
  const Real fd = (fp - fm) / (Real(2) * h);
  MESSAGE("directional derivative " << double(exact) << ", difference " << double(abs(fd - exact)));
  return abs(fd - exact) / (g.norm() * d.norm());
}

template <class T>
FirenetSettings<T> small_firenet(bool eps0_from_input) {
  using Real = real_of<T>;
  FirenetSettings<T> s;
  s.lambda = Real(1) / Real(10);
  s.restarts = 4;
  s.inner = 5;
  s.delta = Real(1) / Real(100);
  if (!eps0_from_input) s.eps0 = Real(3);
  return s;
}

// A LISTA network with weights large enough that the thresholds bite
// (about half the entries of each z_i are inside the kink).
template <class T>
ListaNetwork<T> lista_net(Gaussian& g, Eigen::Index m, Eigen::Index N, int layers) {
  using Real = real_of<T>;
  const Matrix<T> A = random_matrix<T>(g, m, N);
  std::vector<Matrix<T>> W;
  std::vector<Real> theta;
  for (int i = 0; i < layers; ++i) {
    W.push_back(random_matrix<T>(g, m, N) * Real(0.3));
    theta.push_back(Real(0.5) + Real(0.1) * Real(i));
  }
  return ListaNetwork<T>(A, Real(std::sqrt(double(m)) + std::sqrt(double(N))), W, theta);
}

}  // namespace

TEST_CASE_TEMPLATE("LISTA map: forward equals ListaNetwork::forward bit for bit", T, BARRIERS_TEST_ALL_TYPES) {
  PrecisionGuard guard(test::mpfr_test_bits);
  Gaussian g(21);
  const ListaNetwork<T> net = lista_net<T>(g, 9, 16, 4);
  ListaMap<T> map(net);
  int zeros = 0;
  for (int k = 0; k < 3; ++k) {
    const Vector<T> y = random_vector<T>(g, 9) * real_of<T>(3);
    Vector<T> out;
    map.forward(y, out);
    const Vector<T> ref = net.forward(y);
    CHECK(bitwise_equal<T>(out, ref));
    for (Eigen::Index i = 0; i < out.size(); ++i) zeros += out(i) == T(0);
  }
  CHECK(zeros > 0);  // the thresholds are active, so the comparison covers both branches
}

// Issue 10: in MPFR, real and complex, the LISTA map's own forward pass
// (ListaNetwork's fused operations, bit for bit by the test above) and its
// reverse mode work on kept buffers: once warm they create no number, and
// the gradient does not depend on a run at another precision before it in
// the same thread.
TEST_CASE_TEMPLATE("LISTA map in MPFR creates no number and keeps its precision", T, mpfr_real,
                   std::complex<mpfr_real>) {
  const auto run = [](unsigned bits, long* numbers) {
    PrecisionGuard guard(bits);
    Gaussian g(31);
    const ListaNetwork<T> net = lista_net<T>(g, 10, 20, 4);
    ListaMap<T> map(net);
    const Vector<T> y = random_vector<T>(g, 10) * real_of<T>(3), c = random_vector<T>(g, 20);
    Vector<T> out, gy;
    map.forward(y, out);
    map.backward(c, gy);
    if (numbers) *numbers = test::gmp_allocations_of([&] {
      map.forward(y, out);
      map.backward(c, gy);
    });
    Vector<T> both(30);
    both << out, gy;
    return both;
  };
  long numbers = -1;
  const Vector<T> first = run(128, &numbers);
  CHECK(numbers == 0);
  run(256, nullptr);
  const Vector<T> again = run(128, &numbers);
  CHECK(numbers == 0);
  CHECK(bitwise_equal<T>(first, again));
  CHECK(reinterpret_cast<const mpfr_real*>(&again(0))->precision() ==
        reinterpret_cast<const mpfr_real*>(&first(0))->precision());  // the real part's
}

// Tolerances as for FIRENET above (same step, same precision argument).
TEST_CASE_TEMPLATE("LISTA map: gradient against central differences in double", T, double, std::complex<double>) {
  Gaussian g(23);
  const ListaNetwork<T> net = lista_net<T>(g, 10, 18, 5);
  ListaMap<T> map(net);
  for (int k = 0; k < 3; ++k) {
    const Vector<T> y = random_vector<T>(g, 10) * 3.0, c = random_vector<T>(g, 18), d = random_vector<T>(g, 10);
    const double h = std::ldexp(1.0, -20) * double(y.norm()) / double(d.norm());
    CHECK(directional_error<T>(map, y, c, d, h) < 1e-7);
  }
}

TEST_CASE_TEMPLATE("LISTA map: gradient against central differences at 256 bits", T, mpfr_real,
                   std::complex<mpfr_real>) {
  PrecisionGuard guard(256);
  using Real = real_of<T>;
  Gaussian g(29);
  const ListaNetwork<T> net = lista_net<T>(g, 8, 14, 4);
  ListaMap<T> map(net);
  for (int k = 0; k < 2; ++k) {
    const Vector<T> y = random_vector<T>(g, 8) * Real(3), c = random_vector<T>(g, 14), d = random_vector<T>(g, 8);
    const Real h = Real(std::ldexp(1.0, -80)) * y.norm() / d.norm();
    CHECK(directional_error<T>(map, y, c, d, h) < Real(std::ldexp(1.0, -140)));
  }
}

TEST_CASE_TEMPLATE("FIRENET map: forward equals FirenetNetwork bit for bit", T, double, std::complex<double>,
                   mpfr_real, std::complex<mpfr_real>) {
  PrecisionGuard guard(test::mpfr_test_bits);
  Gaussian g(11);
  auto A = std::make_shared<DenseOperator<T>>(random_matrix<T>(g, 10, 18));
  for (bool from_input : {true, false}) {
    const auto s = small_firenet<T>(from_input);
    FirenetNetwork<T> net(A, s);
    FirenetMap<T> map(A, s);
    for (int k = 0; k < 2; ++k) {
      const Vector<T> y = random_vector<T>(g, 10);
      Vector<T> out;
      map.forward(y, out);
      CHECK(bitwise_equal<T>(out, net(y)));
    }
  }
}

// Double: h = 2^-20 ||y|| gives truncation ~ h^2 = 1e-12 and rounding
// ~ u / h = 2e-10 relative; 1e-7 leaves a factor 500 for the size of the
// third derivative and the condition of F.
TEST_CASE_TEMPLATE("FIRENET map: gradient against central differences in double", T, double,
                   std::complex<double>) {
  Gaussian g(5);
  auto A = std::make_shared<DenseOperator<T>>(random_matrix<T>(g, 12, 20));
  for (bool from_input : {true, false}) {
    CAPTURE(from_input);
    FirenetMap<T> map(A, small_firenet<T>(from_input));
    for (int k = 0; k < 3; ++k) {
      const Vector<T> y = random_vector<T>(g, 12), c = random_vector<T>(g, 20), d = random_vector<T>(g, 12);
      const double h = std::ldexp(1.0, -20) * double(y.norm()) / double(d.norm());
      CHECK(directional_error<T>(map, y, c, d, h) < 1e-7);
    }
  }
}

// 256 bits (257 in force): h = 2^-80 gives truncation ~ 2^-160 and rounding
// ~ 2^-257 / 2^-80 = 2^-177; 2^-140 leaves a factor 2^20 for the constants.
TEST_CASE_TEMPLATE("FIRENET map: gradient against central differences at 256 bits", T, mpfr_real,
                   std::complex<mpfr_real>) {
  PrecisionGuard guard(256);
  using Real = real_of<T>;
  Gaussian g(7);
  auto A = std::make_shared<DenseOperator<T>>(random_matrix<T>(g, 8, 14));
  for (bool from_input : {true, false}) {
    CAPTURE(from_input);
    FirenetMap<T> map(A, small_firenet<T>(from_input));
    const Vector<T> y = random_vector<T>(g, 8), c = random_vector<T>(g, 14), d = random_vector<T>(g, 8);
    const Real h = Real(std::ldexp(1.0, -80)) * y.norm() / d.norm();
    CHECK(directional_error<T>(map, y, c, d, h) < Real(std::ldexp(1.0, -140)));
  }
}

TEST_CASE("FIRENET map: the loss gradient through A (r -> A r) matches differences at 256 bits") {
  PrecisionGuard guard(256);
  using T = std::complex<mpfr_real>;
  using Real = mpfr_real;
  Gaussian g(3);
  auto A = std::make_shared<DenseOperator<T>>(random_matrix<T>(g, 8, 14));
  FirenetMap<T> map(A, small_firenet<T>(true));
  const Vector<T> y = random_vector<T>(g, 8);
  PerturbationLoss<T> loss(map, A, y);
  const Vector<T> r = random_vector<T>(g, 14) * Real(0.1), d = random_vector<T>(g, 14);
  Vector<T> grad;
  loss.evaluate(r, &grad);
  const Real h = Real(std::ldexp(1.0, -80));
  const Real fd = (loss.evaluate(Vector<T>(r + d * h), nullptr).loss - loss.evaluate(Vector<T>(r - d * h), nullptr).loss) /
                  (Real(2) * h);
  using std::abs;
  CHECK(abs(fd - real_inner(grad, d)) < Real(std::ldexp(1.0, -140)) * grad.norm() * d.norm());
  CHECK(grad.norm() > Real(1e-3));  // a real test: the loss is not flat here
}
