#include <doctest/doctest.h>

#include <cmath>

#include "barriers/solvers/imaging/gradient_2d.hpp"
#include "barriers/solvers/operator_norm.hpp"
#include "imaging_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

namespace {
// The differences written out pixel by pixel, in double, from the definition
// in gradient_2d.hpp (not through the class's loops).
double du(const Matrix<double>& u, Eigen::Index i, Eigen::Index j, int axis) {
  if (axis == 1) return i + 1 < u.rows() ? u(i + 1, j) - u(i, j) : 0.0;
  return j + 1 < u.cols() ? u(i, j + 1) - u(i, j) : 0.0;
}
}  // namespace

TEST_CASE("Gradient2D and SymmetrisedGradient2D match the definition on a 3 x 4 image") {
  const ImageShape shape{3, 4};
  const Eigen::Index n = 12;
  Matrix<double> u(3, 4), v1(3, 4), v2(3, 4);
  for (Eigen::Index k = 0; k < n; ++k) {
    u(k % 3, k / 3) = double(k * k % 7) - 2.5;
    v1(k % 3, k / 3) = double(k % 5) * 0.25;
    v2(k % 3, k / 3) = double((3 * k) % 11) - 4;
  }
  const Gradient2D<double> G(shape);
  const Vector<double> g = G.forward(Eigen::Map<const Vector<double>>(u.data(), n));
  SymmetrisedGradient2D<double> E(shape);
  Vector<double> v(2 * n);
  v << Eigen::Map<const Vector<double>>(v1.data(), n), Eigen::Map<const Vector<double>>(v2.data(), n);
  const Vector<double> e = E.forward(v);
  REQUIRE(g.size() == 2 * n);
  REQUIRE(e.size() == 4 * n);
  for (Eigen::Index j = 0; j < 4; ++j)
    for (Eigen::Index i = 0; i < 3; ++i) {
      const Eigen::Index k = i + 3 * j;
      CHECK(g(k) == du(u, i, j, 1));
      CHECK(g(n + k) == du(u, i, j, 2));
      CHECK(e(k) == du(v1, i, j, 1));
      CHECK(e(n + k) == du(v2, i, j, 2));
      CHECK(e(2 * n + k) == (du(v1, i, j, 2) + du(v2, i, j, 1)) / 2);
      CHECK(e(3 * n + k) == e(2 * n + k));
    }
  // Constants have zero gradient (Neumann: no jump at the edges), and the
  // gradient field of an affine image has zero symmetrised gradient inside.
  CHECK(G.forward(Vector<double>::Constant(n, 3.0)).cwiseAbs().maxCoeff() == 0.0);
}

// Adjoint identity with the operators' forward error. Each computed entry
// is a sum of at most 4 terms (the adjoint of E: two differences of s = (p_3
// + p_4) / 2 and of p_1 or p_2), so it is off by at most gamma_4 ~ 4u times
// the same sum of moduli; with |D_k| of norm <= 2 that vector has norm
// <= 2 (||p_a|| + ||s||) <= 2 sqrt2 sqrt2 ||p||, hence delta = 4u * 4 = 16u,
// taken as 24u for the u^2 terms and slack.
TEST_CASE_TEMPLATE("Gradient2D and SymmetrisedGradient2D: adjoint identity in every type", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  Gaussian g(17);
  const R delta = 24 * unit_roundoff<T>();
  for (ImageShape shape : {ImageShape{5, 7}, ImageShape{8, 8}, ImageShape{1, 6}, ImageShape{6, 1}}) {
    INFO("shape ", shape.rows, " x ", shape.cols);
    check_adjoint_identity(Gradient2D<T>(shape), delta, g);
    check_adjoint_identity(SymmetrisedGradient2D<T>(shape), delta, g);
  }
}

// The Neumann difference on n points has norm 2 cos(pi / 2n) (its Gram matrix
// is the Neumann Laplacian, eigenvalues 2 - 2 cos(pi k / n)), and the 2-D
// gradient's Gram matrix is the Kronecker sum, so ||grad||^2 = 4 cos^2(pi/2r)
// + 4 cos^2(pi/2c) < 8. Power iteration approaches it from below; the bound
// must lie above it and above the estimate of ||E||.
TEST_CASE_TEMPLATE("Gradient2D norm: exact value below the certified bound", T, double, std::complex<double>,
                   mpfr_real) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  using std::cos;
  using std::sqrt;
  const R pi = R(4) * atan(R(1));
  for (ImageShape shape : {ImageShape{8, 8}, ImageShape{6, 10}}) {
    const Gradient2D<T> G(shape);
    const SymmetrisedGradient2D<T> E(shape);
    const R c1 = cos(pi / (2 * R(shape.rows))), c2 = cos(pi / (2 * R(shape.cols)));
    const R exact = 2 * sqrt(c1 * c1 + c2 * c2);
    const R est = power_iteration<T>(G, 2000, 3);
    INFO("estimate ", double(est), " exact ", double(exact));
    CHECK(est <= exact * (1 + 64 * unit_roundoff<T>()));
    CHECK(est >= exact * R(0.999));  // the top eigenvalue is well separated at these sizes
    CHECK(G.norm_bound() >= exact);
    CHECK(G.norm_bound() <= sqrt(R(8)) * (1 + 32 * unit_roundoff<T>()));
    CHECK(power_iteration<T>(E, 2000, 5) <= E.norm_bound());
  }
}

namespace {
// TGV's B (u, v) = [grad u - v; E v], written out here from the two public
// operators, as image_warpd.cpp builds it.
class TgvB final : public LinearOperator<double> {
 public:
  explicit TgvB(ImageShape s) : g_(s), e_(s), n_(s.size()) {}
  Eigen::Index rows() const override { return 6 * n_; }
  Eigen::Index cols() const override { return 3 * n_; }
  void apply(const Vector<double>& z, Vector<double>& out) const override {
    out.resize(6 * n_);
    out.head(2 * n_) = g_.forward(z.head(n_)) - z.tail(2 * n_);
    out.tail(4 * n_) = e_.forward(z.tail(2 * n_));
  }
  void apply_adjoint(const Vector<double>& p, Vector<double>& out) const override {
    out.resize(3 * n_);
    out.head(n_) = g_.adjoint(p.head(2 * n_));
    out.tail(2 * n_) = e_.adjoint(p.tail(4 * n_)) - p.head(2 * n_);
  }
  double norm_bound() const override { return 27.0 / 8; }

 private:
  Gradient2D<double> g_;
  SymmetrisedGradient2D<double> e_;
  Eigen::Index n_;
};
}  // namespace

// image_warpd.hpp bounds ||B_tgv|| by sqrt((17 + sqrt 33) / 2) = 3.3723 and
// uses 27/8: power iteration (from below) must stay under the derived value.
TEST_CASE("TGV's stacked operator stays below its derived norm bound") {
  const double derived = std::sqrt((17 + std::sqrt(33.0)) / 2);
  CHECK(derived < 27.0 / 8);
  for (ImageShape shape : {ImageShape{8, 8}, ImageShape{12, 7}}) {
    const double est = power_iteration<double>(TgvB(shape), 3000, 9);
    MESSAGE("TGV B, ", shape.rows, " x ", shape.cols, ": power iteration ", est, ", derived bound ", derived);
    CHECK(est <= derived);
    // The blocks' errors (24u each, test above) plus one subtraction per entry.
    Gaussian g(4);
    check_adjoint_identity(TgvB(shape), 32 * unit_roundoff<double>(), g);
  }
}
