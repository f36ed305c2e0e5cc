// The stability-accuracy trade-off pieces (stability/learned_tradeoff.hpp):
// the text detail's ink, the bound ||h|| / ||A h|| (against a dense
// computation), how much of h a map recovers, and a map that attains the
// bound.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"
#include "learned_test_support.hpp"
#include "barriers/solvers/stability/learned_tradeoff.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"

using namespace barriers;

namespace {

template <class T>
Vector<T> pixels_of(const Matrix<real_of<T>>& img) {
  return Eigen::Map<const Vector<real_of<T>>>(img.data(), img.size()).template cast<T>();
}

// Phi(y) = x0 + c W h <A W h, y - y0> / ||A W h||^2: returns the true x at y0
// and x0 + c W h at y0 + A W h, so it recovers the fraction c of h from any y.
template <class T>
class DetailMap final : public ReconstructionMap<T> {
 public:
  DetailMap(Vector<T> x0, Vector<T> y0, Vector<T> wh, Vector<T> awh, double c)
      : x0_(std::move(x0)), y0_(std::move(y0)), wh_(std::move(wh)), awh_(std::move(awh)), c_(c) {}
  Eigen::Index input_size() const override { return y0_.size(); }
  Eigen::Index output_size() const override { return x0_.size(); }
  void forward(const Vector<T>& y, Vector<T>& out) override {
    out = x0_ + wh_ * T(real_of<T>(c_) * awh_.dot(Vector<T>(y - y0_)) / awh_.squaredNorm());
    have_ = true;
  }
  void backward(const Vector<T>& g, Vector<T>& g_y) override {
    this->check_backward(have_, g);
    g_y = awh_ * T(real_of<T>(c_) * wh_.dot(g) / awh_.squaredNorm());
  }

 private:
  Vector<T> x0_, y0_, wh_, awh_;
  double c_;
  bool have_ = false;
};

// Phi(y) = A^* P y with P the orthogonal projection off A W h: it cannot see
// the detail at all, so Phi(y + A W h) = Phi(y) up to rounding.
template <class T>
class BlindMap final : public ReconstructionMap<T> {
 public:
  BlindMap(OperatorPtr<T> A, Vector<T> awh) : A_(std::move(A)), u_(awh / T(real_of<T>(awh.norm()))) {}
  Eigen::Index input_size() const override { return A_->rows(); }
  Eigen::Index output_size() const override { return A_->cols(); }
  void forward(const Vector<T>& y, Vector<T>& out) override {
    out = A_->adjoint(Vector<T>(y - u_ * u_.dot(y)));
    have_ = true;
  }
  void backward(const Vector<T>& g, Vector<T>& g_y) override {
    this->check_backward(have_, g);
    const Vector<T> ag = A_->forward(g);
    g_y = ag - u_ * u_.dot(ag);
  }

 private:
  OperatorPtr<T> A_;
  Vector<T> u_;
  bool have_ = false;
};

}  // namespace

// The font has 107 ink pixels ("FIRENET", 5 x 7 glyphs; counted from the
// glyph table by hand), one pixel each at 128 x 128. Without them what is
// left is the smooth background: values in [0.1, 0.75], and neighbours
// differ by far less than the ink's 0.2 (the steepest bump, 0.55 exp(-2x^2
// - 10y^2/3), changes by < 0.05 per pixel of width 2/128).
TEST_CASE("text detail ink: the word of text_detail on its own") {
  const ImageShape shape{128, 128};
  const Matrix<double> ink = text_detail_ink<double>(shape);
  const Matrix<double> background = text_detail<double>(shape) - ink;
  long count = 0;
  for (Eigen::Index k = 0; k < ink.size(); ++k) {
    CHECK((ink.data()[k] == 0.0 || ink.data()[k] == 0.2));
    count += ink.data()[k] != 0.0;
  }
  CHECK(count == 107);
  CHECK(background.minCoeff() >= 0.1 - 1e-12);
  CHECK(background.maxCoeff() <= 0.75 + 1e-12);
  double jump = 0;
  for (Eigen::Index j = 0; j + 1 < shape.cols; ++j)
    for (Eigen::Index i = 0; i + 1 < shape.rows; ++i)
      jump = std::max({jump, std::abs(background(i + 1, j) - background(i, j)),
                       std::abs(background(i, j + 1) - background(i, j))});
  CHECK(jump < 0.05);
  CHECK(text_detail_ink<mpfr_real>({64, 64}).cast<double>() == text_detail_ink<double>({64, 64}));
}

// Full sampling makes A unitary (||A h|| = ||h||, ratio 1 up to rounding of
// the transforms, a few ulps times log N); subsampling can only shrink
// ||A h||. At 15% the text detail is mostly unmeasured.
TEST_CASE("detail bound ||h|| / ||A h||") {
  const ImageShape shape{32, 32};
  const Matrix<double> h = text_detail_ink<double>(shape);
  const auto full = detail_lipschitz_bound(test::ellipse_problem<std::complex<double>>(32, 1.0), h);
  CHECK(std::abs(full.ratio - 1) < 1e-12);
  CHECK(std::abs(full.detail_norm - h.norm()) < 1e-12);
  const auto sub = detail_lipschitz_bound(test::ellipse_problem<std::complex<double>>(32, 0.15), h);
  MESSAGE("text detail at 32 x 32, 15% DAS Fourier: ||h|| " << sub.detail_norm << ", ||A h|| " << sub.measured_norm
                                                            << ", ratio " << sub.ratio);
  CHECK(sub.ratio > 1);
  CHECK_THROWS_AS(detail_lipschitz_bound(test::ellipse_problem<std::complex<double>>(32, 0.15),
                                        Matrix<double>::Zero(32, 32)),
                  std::invalid_argument);
}

// The map y -> U V^* y with U = W h, V = A W h / ||A W h||^2 (thresholds so
// large that the ISTA part outputs 0) puts h back exactly, and it is linear
// with the single non-zero singular value ||U|| ||V|| = ||h|| / ||A h||: the
// search must find that ratio (and nothing above it), the trade-off bound
// attained.
TEST_CASE_TEMPLATE("a map that recovers the detail attains ||h|| / ||A h||", T, double, std::complex<double>) {
  using Real = real_of<T>;
  const ImagingProblem<T> pr = test::ellipse_problem<T>(32, 0.15);
  const Matrix<Real> h = text_detail_ink<Real>(pr.shape);
  const auto bound = detail_lipschitz_bound(pr, h);
  const Vector<T> wh = pr.wavelet->forward(
      Vector<T>(Eigen::Map<const Vector<Real>>(h.data(), h.size()).template cast<T>()));
  const Vector<T> awh = pr.A->forward(wh);
  const int levels = int(pr.level_starts.size()) - 1;
  auto p = initial_learned_ista_params<T>(*pr.A, 2, levels, Real(1e6), 1, Real(0), 1);
  p.U.col(0) = wh;
  p.V.col(0) = awh / awh.squaredNorm();
  LearnedIstaMap<T> map(pr.A, pr.level_starts, p);
  const std::vector<Vector<T>> ys = {pr.y};
  CHECK(std::abs(double(detail_recovered<T>(map, pr, h, ys)) - 1) < 1e-12);

  PerturbationLoss<T> loss(map, nullptr, pr.y);
  PerturbationSearchSettings<T> s;
  s.budgets = {Real(1e-3)};
  s.iterations = 20;
  s.restarts = 1;
  const auto res = perturbation_search(loss, s);
  MESSAGE("bound " << double(bound.ratio) << ", found " << double(res.max_ratio_e));
  // Linear map: the momentum ascent converges to the top singular vector;
  // the tolerance is that convergence, not rounding.
  CHECK(res.max_ratio_e > Real(0.999) * bound.ratio);
  CHECK(res.max_ratio_e < Real(1 + 1e-9) * bound.ratio);
}

// ||h|| / ||A W h|| computed with the dense matrices of W and A (columns
// W e_j and A e_j): the same numbers up to the rounding of the two ways of
// summing (fast transforms against dense products of 256 terms, each
// relative error below 256 u = 6e-14), so 1e-12 relative.
TEST_CASE_TEMPLATE("detail bound against the dense matrices", T, double, std::complex<double>) {
  using Real = real_of<T>;
  const ImagingProblem<T> pr = test::ellipse_problem<T>(16, 0.3);
  const Matrix<Real> h = text_detail_ink<Real>(pr.shape);
  REQUIRE(h.sum() > 0);
  const Eigen::Index N = pr.A->cols();
  Matrix<T> Wd(N, N), Ad(pr.A->rows(), N);
  for (Eigen::Index j = 0; j < N; ++j) {
    const Vector<T> e = Vector<T>::Unit(N, j);
    Wd.col(j) = pr.wavelet->forward(e);
    Ad.col(j) = pr.A->forward(e);
  }
  const Vector<T> hc = Wd * pixels_of<T>(h);
  const Real hn = h.norm(), ahn = Vector<T>(Ad * hc).norm();
  const auto b = detail_lipschitz_bound(pr, h);
  MESSAGE("16 x 16, 30%: ||h|| " << hn << ", ||A W h|| " << ahn << ", ratio " << hn / ahn);
  CHECK(std::abs(b.detail_norm - hn) <= 1e-12 * hn);
  CHECK(std::abs(b.measured_norm - ahn) <= 1e-12 * ahn);
  CHECK(std::abs(b.ratio - hn / ahn) <= 1e-12 * (hn / ahn));
  CHECK(b.ratio > 1);
}

// The maps above recover exactly the fraction c of h (1, 0.5), or nothing
// (BlindMap); the measure is a mean over several ys, each giving the same
// value up to rounding (relative 1e-12: a few operations of size ||y||).
TEST_CASE_TEMPLATE("detail_recovered: 1 for a map that returns the true image, 0 for one blind to h", T, double,
                   std::complex<double>) {
  using Real = real_of<T>;
  const ImagingProblem<T> pr = test::ellipse_problem<T>(16, 0.3);
  const Matrix<Real> h = text_detail_ink<Real>(pr.shape);
  const Vector<T> wh = pr.wavelet->forward(pixels_of<T>(h)), awh = pr.A->forward(wh);
  const std::vector<Vector<T>> ys = {pr.y, Vector<T>(pr.y * T(Real(2)) + awh), Vector<T>(pr.y * T(Real(-0.5)))};
  DetailMap<T> exact(pr.x_true, pr.y, wh, awh, 1.0), half(pr.x_true, pr.y, wh, awh, 0.5);
  // The true image itself at y and y + A W h:
  Vector<T> out;
  exact.forward(pr.y, out);
  CHECK(out == pr.x_true);
  CHECK(std::abs(double(detail_recovered<T>(exact, pr, h, ys)) - 1) < 1e-12);
  CHECK(std::abs(double(detail_recovered<T>(half, pr, h, ys)) - 0.5) < 1e-12);
  BlindMap<T> blind(pr.A, awh);
  CHECK(std::abs(double(detail_recovered<T>(blind, pr, h, ys))) < 1e-12);
  CHECK_THROWS_AS(detail_recovered<T>(exact, pr, h, {}), std::invalid_argument);
  CHECK_THROWS_AS(detail_recovered<T>(exact, pr, Matrix<Real>::Zero(8, 8), ys), std::invalid_argument);
}
