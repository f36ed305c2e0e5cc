// The detail of the stability-accuracy trade-off: the text detail's ink,
// the lower bound ||h|| / ||A h||, and how much of h a map recovers.
#include "barriers/solvers/stability/learned_tradeoff.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "barriers/solvers/imaging/phantom.hpp"

namespace barriers {

namespace {

template <class T>
Vector<T> detail_coefficients(const ImagingProblem<T>& problem, const Matrix<real_of<T>>& detail) {
  using Real = real_of<T>;
  if (detail.rows() != problem.shape.rows || detail.cols() != problem.shape.cols)
    throw std::invalid_argument("the detail image has another shape than the problem's image");
  const Vector<T> pixels = Eigen::Map<const Vector<Real>>(detail.data(), detail.size()).template cast<T>();
  return problem.wavelet->forward(pixels);
}

}  // namespace

template <class R>
Matrix<R> text_detail_ink(ImageShape shape) {
  using std::exp;
  Matrix<R> ink = text_detail<R>(shape);  // checks the shape
  const R threshold = R(1) / 10, value = R(2) / 10;
  for (Eigen::Index j = 0; j < shape.cols; ++j)
    for (Eigen::Index i = 0; i < shape.rows; ++i) {
      // The background of text_detail (phantom.cpp): two Gaussian bumps.
      const R x = R(2 * j + 1 - shape.cols) / R(shape.cols), y = R(shape.rows - 1 - 2 * i) / R(shape.rows);
      const R x2 = x + R(4) / 10, y2 = y - R(3) / 10;
      const R background = R(1) / 10 + R(55) / 100 * exp(-(x * x * 2 + y * y * R(10) / 3)) +
                           R(1) / 10 * exp(-(x2 * x2 + y2 * y2) * 20);
      ink(i, j) = ink(i, j) - background > threshold ? value : R(0);
    }
  return ink;
}

template <class T>
DetailBound<real_of<T>> detail_lipschitz_bound(const ImagingProblem<T>& problem, const Matrix<real_of<T>>& detail) {
  using Real = real_of<T>;
  const Vector<T> h = detail_coefficients(problem, detail);
  const Real hn = h.norm();
  if (!(hn > 0)) throw std::invalid_argument("the detail is zero");
  const Real ahn = problem.A->forward(h).norm();
  const Real ratio = ahn > 0 ? Real(hn / ahn) : Real(std::numeric_limits<double>::infinity());
  return {hn, ahn, ratio};
}

template <class T>
real_of<T> detail_recovered(ReconstructionMap<T>& map, const ImagingProblem<T>& problem,
                            const Matrix<real_of<T>>& detail, const std::vector<Vector<T>>& ys) {
  using Real = real_of<T>;
  if (ys.empty()) throw std::invalid_argument("detail_recovered needs at least one y");
  const Vector<T> h = detail_coefficients(problem, detail);
  const Vector<T> ah = problem.A->forward(h);
  const Real h2 = h.squaredNorm();
  Real sum(0);
  Vector<T> a, b;
  for (const Vector<T>& y : ys) {
    map.forward(y, a);
    map.forward(Vector<T>(y + ah), b);
    sum += real_inner<T>(Vector<T>(b - a), h) / h2;
  }
  return sum / Real(long(ys.size()));
}

#define BARRIERS_X(T)                                                                                             \
  template DetailBound<real_of<T>> detail_lipschitz_bound<T>(const ImagingProblem<T>&, const Matrix<real_of<T>>&); \
  template real_of<T> detail_recovered<T>(ReconstructionMap<T>&, const ImagingProblem<T>&,                        \
                                          const Matrix<real_of<T>>&, const std::vector<Vector<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) template Matrix<R> text_detail_ink<R>(ImageShape);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
