// FIRENET after a learned network (stability/learned_firenet.hpp): the
// composite's exact input gradient against central differences, and its
// output changes against the bound it inherits from FIRENET's analysis when
// A has full column rank, for a learned network made unstable on purpose.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include <Eigen/SVD>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/stability/learned_firenet.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using barriers::test::Gaussian;
using barriers::test::random_matrix;
using barriers::test::random_vector;

namespace {

// A 30 x 12 Gaussian A (full column rank), a 3-sparse x, y = A x, and a
// learned network whose rank-1 term has gain `gain` along a direction v of
// range(A) orthogonal to y: at y it is harmless, a perturbation e = A r
// along v moves its output by gain ||e||.
template <class T>
struct Setup {
  std::shared_ptr<DenseOperator<T>> A;
  real_of<T> s_min;
  Vector<T> x, y;
  std::shared_ptr<LearnedIstaMap<T>> learned;
};

template <class T>
Setup<T> setup(Gaussian& g, double gain) {
  using Real = real_of<T>;
  const Eigen::Index m = 30, N = 12;
  Setup<T> s;
  const Matrix<T> Am = random_matrix<T>(g, m, N) / Real(std::sqrt(double(m)));
  s.A = std::make_shared<DenseOperator<T>>(Am);
  Eigen::JacobiSVD<Matrix<T>> svd(Am);
  s.s_min = svd.singularValues()(N - 1) * Real(1 - 1e-8);  // margin for the SVD's rounding
  s.x = Vector<T>::Zero(N);
  s.x(1) = T(1.5);
  s.x(5) = T(-0.7);
  s.x(9) = T(0.4);
  s.y = s.A->forward(s.x);
  auto p = initial_learned_ista_params<T>(*s.A, 3, 1, Real(0.02), 1, Real(0), 1);
  Vector<T> v = s.A->forward(random_vector<T>(g, N));  // in the range of A, where perturbations A r live
  v -= s.y * (s.y.dot(v) / s.y.squaredNorm());
  p.V.col(0) = v / v.norm();
  Vector<T> u = random_vector<T>(g, N);
  p.U.col(0) = u / u.norm() * Real(gain);
  s.learned = std::make_shared<LearnedIstaMap<T>>(s.A, std::vector<Eigen::Index>{0, N}, p);
  return s;
}

template <class T>
FirenetSettings<T> firenet_settings() {
  using Real = real_of<T>;
  FirenetSettings<T> fs;
  fs.lambda = Real(0.02);
  fs.restarts = 8;
  fs.inner = 50;
  fs.delta = Real(1e-3);
  return fs;
}

}  // namespace

// Double: step 2^-20 relative, truncation ~h^2 = 1e-12, rounding ~u/h =
// 2e-10 relative to the derivative's scale: tolerance 1e-7 (as in
// test_input_gradient.cpp). FIRENET with fewer steps keeps the test fast.
TEST_CASE_TEMPLATE("learned + FIRENET: input gradient against central differences", T, double, std::complex<double>) {
  using Real = real_of<T>;
  Gaussian g(51);
  Setup<T> s = setup<T>(g, 5.0);
  FirenetSettings<T> fs = firenet_settings<T>();
  fs.restarts = 3;
  fs.inner = 5;
  LearnedFirenetMap<T> map(s.learned, s.A, fs);
  FirenetMap<T> firenet(s.A, fs);
  for (int k = 0; k < 3; ++k) {
    const Vector<T> y = s.y + random_vector<T>(g, s.y.size()) * Real(0.1);
    const Vector<T> c = random_vector<T>(g, s.x.size()), d = random_vector<T>(g, y.size());
    Vector<T> out, gy;
    map.forward(y, out);
    // The composite is x_l + FIRENET(y - A x_l), operation for operation.
    Vector<T> xl, dF;
    s.learned->forward(y, xl);
    CHECK(xl == map.learned_output());
    CHECK(map.residual_data() == Vector<T>(y - s.A->forward(xl)));
    firenet.forward(map.residual_data(), dF);
    CHECK(out == Vector<T>(xl + dF));
    map.backward(c, gy);
    const Real h = Real(std::ldexp(1.0, -20)) * y.norm() / d.norm();
    map.forward(Vector<T>(y + d * h), out);
    const Real fp = real_inner(c, out);
    map.forward(Vector<T>(y - d * h), out);
    const Real fm = real_inner(c, out);
    const Real exact = real_inner(gy, d);
    const Real err = std::abs((fp - fm) / (Real(2) * h) - exact) / (gy.norm() * d.norm());
    MESSAGE("derivative " << exact << ", relative error " << err);
    CHECK(err < 1e-7);
  }
}

// The learned network alone moves by about gain ||e|| (the search finds its
// instability); the composite stays below the bound of learned_firenet.hpp
// (full column rank: sharpness constants at every point), which at these
// budgets is far below the learned network's change.
TEST_CASE_TEMPLATE("learned + FIRENET: the composite stays within FIRENET's bound where the learned net is unstable",
                   T, double, std::complex<double>) {
  using Real = real_of<T>;
  Gaussian g(53);
  const double gain = 1000;
  Setup<T> s = setup<T>(g, gain);
  const FirenetSettings<T> fs = firenet_settings<T>();
  LearnedFirenetMap<T> composite(s.learned, s.A, fs);
  const auto sharp = full_column_rank_sharpness<Real>(s.s_min, fs.lambda, Vector<Real>(), s.x.size());
  PerturbationSearchSettings<T> ps;
  ps.budgets = {Real(1e-4), Real(1e-3)};
  ps.iterations = 30;
  ps.restarts = 2;
  ps.seed = 7;

  PerturbationLoss<T> learned_loss(*s.learned, s.A, s.y);
  const auto lr = perturbation_search(learned_loss, ps);
  PerturbationLoss<T> loss(composite, s.A, s.y);
  const auto res = perturbation_search(loss, ps);
  MESSAGE("worst ratio per ||A r||: learned " << double(lr.max_ratio_e) << ", composite " << double(res.max_ratio_e));
  CHECK(lr.max_ratio_e > Real(0.5 * gain));

  Vector<T> xl_y, xl_ye;
  s.learned->forward(s.y, xl_y);
  const auto check_point = [&](const Vector<T>& r, const Real& change, const Real& learned_change) {
    const Vector<T> e = s.A->forward(r);
    s.learned->forward(Vector<T>(s.y + e), xl_ye);
    const Real bound = learned_firenet_stability_bound<T>(*s.A, composite.firenet().plan(), sharp, s.x, s.y, e,
                                                          xl_y, xl_ye);
    MESSAGE("||A r|| " << double(e.norm()) << "  composite change " << double(change) << "  bound " << double(bound)
                       << "  learned change " << double(learned_change));
    CHECK(change <= bound);
    CHECK(bound < learned_change / Real(10));
  };
  for (std::size_t i = 0; i < res.curve.size(); ++i)
    check_point(res.curve_r[i], res.curve[i].change_norm, lr.curve[i].change_norm);
}

TEST_CASE("learned + FIRENET: mismatched sizes are refused") {
  Gaussian g(55);
  Setup<double> s = setup<double>(g, 1.0);
  auto other = std::make_shared<DenseOperator<double>>(random_matrix<double>(g, 20, 12));
  CHECK_THROWS_AS(LearnedFirenetMap<double>(s.learned, other, firenet_settings<double>()), std::invalid_argument);
  CHECK_THROWS_AS(LearnedFirenetMap<double>(nullptr, s.A, firenet_settings<double>()), std::invalid_argument);
  LearnedFirenetMap<double> map(s.learned, s.A, firenet_settings<double>());
  Vector<double> gy;
  CHECK_THROWS_AS(map.backward(Vector<double>::Zero(12), gy), std::logic_error);
}
