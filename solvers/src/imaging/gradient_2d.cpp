// The 2-D gradient and symmetrised gradient (Neumann forward differences),
// for every scalar type.
#include "barriers/solvers/imaging/gradient_2d.hpp"

#include <cmath>

namespace barriers {

namespace {

// out = D_1 u (down each column) or D_2 u (along each row) of an r x c image.
template <class T>
void diff(const T* u, T* out, Eigen::Index r, Eigen::Index c, bool along_rows) {
  for (Eigen::Index j = 0; j < c; ++j)
    for (Eigen::Index i = 0; i < r; ++i) {
      const Eigen::Index k = i + r * j;
      if (along_rows)
        out[k] = j + 1 < c ? T(u[k + r] - u[k]) : T(0);
      else
        out[k] = i + 1 < r ? T(u[k + 1] - u[k]) : T(0);
    }
}

// out += D_k^* p: (D_1^* p)(i) = p(i-1) [i > 0] - p(i) [i < r-1], likewise along rows.
template <class T>
void add_diff_adjoint(const T* p, T* out, Eigen::Index r, Eigen::Index c, bool along_rows) {
  for (Eigen::Index j = 0; j < c; ++j)
    for (Eigen::Index i = 0; i < r; ++i) {
      const Eigen::Index k = i + r * j;
      if (along_rows) {
        if (j > 0) out[k] += p[k - r];
        if (j + 1 < c) out[k] -= p[k];
      } else {
        if (i > 0) out[k] += p[k - 1];
        if (i + 1 < r) out[k] -= p[k];
      }
    }
}

template <class Real>
Real sqrt8_bound() {
  using std::sqrt;
  const Real u = number_traits<Real>::epsilon() / 2;
  return Real(sqrt(Real(8)) * (1 + 16 * u));
}

}  // namespace

template <class T>
Gradient2D<T>::Gradient2D(ImageShape shape) : shape_(shape) {
  check_image_shape(shape, "the gradient's image");
}

template <class T>
void Gradient2D<T>::apply(const Vector<T>& u, Vector<T>& out) const {
  const Eigen::Index n = shape_.size();
  out.resize(2 * n);
  diff(u.data(), out.data(), shape_.rows, shape_.cols, false);
  diff(u.data(), out.data() + n, shape_.rows, shape_.cols, true);
}

template <class T>
void Gradient2D<T>::apply_adjoint(const Vector<T>& p, Vector<T>& out) const {
  const Eigen::Index n = shape_.size();
  out.setZero(n);
  add_diff_adjoint(p.data(), out.data(), shape_.rows, shape_.cols, false);
  add_diff_adjoint(p.data() + n, out.data(), shape_.rows, shape_.cols, true);
}

template <class T>
typename Gradient2D<T>::Real Gradient2D<T>::norm_bound() const {
  return sqrt8_bound<Real>();
}

template <class T>
SymmetrisedGradient2D<T>::SymmetrisedGradient2D(ImageShape shape) : shape_(shape) {
  check_image_shape(shape, "the symmetrised gradient's image");
}

template <class T>
void SymmetrisedGradient2D<T>::apply(const Vector<T>& v, Vector<T>& out) const {
  const Eigen::Index n = shape_.size(), r = shape_.rows, c = shape_.cols;
  out.resize(4 * n);
  T* o = out.data();
  const T* v1 = v.data();
  const T* v2 = v.data() + n;
  diff(v1, o, r, c, false);
  diff(v2, o + n, r, c, true);
  diff(v1, o + 2 * n, r, c, true);   // D_2 v_1
  diff(v2, o + 3 * n, r, c, false);  // D_1 v_2
  const Real half = Real(1) / 2;
  for (Eigen::Index k = 0; k < n; ++k) {
    o[2 * n + k] = T(o[2 * n + k] + o[3 * n + k]) * half;
    o[3 * n + k] = o[2 * n + k];
  }
}

template <class T>
void SymmetrisedGradient2D<T>::apply_adjoint(const Vector<T>& p, Vector<T>& out) const {
  const Eigen::Index n = shape_.size(), r = shape_.rows, c = shape_.cols;
  Vector<T> s = (p.segment(2 * n, n) + p.segment(3 * n, n)) * (Real(1) / 2);
  out.setZero(2 * n);
  T* v1 = out.data();
  T* v2 = out.data() + n;
  add_diff_adjoint(p.data(), v1, r, c, false);
  add_diff_adjoint(s.data(), v1, r, c, true);
  add_diff_adjoint(p.data() + n, v2, r, c, true);
  add_diff_adjoint(s.data(), v2, r, c, false);
}

template <class T>
typename SymmetrisedGradient2D<T>::Real SymmetrisedGradient2D<T>::norm_bound() const {
  return sqrt8_bound<Real>();
}

#define BARRIERS_X(T)              \
  template class Gradient2D<T>; \
  template class SymmetrisedGradient2D<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
