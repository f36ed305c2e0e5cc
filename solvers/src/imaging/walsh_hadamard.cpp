// The sequency-ordered fast Walsh-Hadamard transform.
#include "barriers/solvers/imaging/walsh_hadamard.hpp"

#include <stdexcept>
#include <string>

#include "scratch.hpp"

namespace barriers {

using imaging_detail::Scratch;

namespace {
struct WalshTag;  // the transform's working copy
int log2_exact(Eigen::Index n, const char* what) {
  if (n < 1 || (n & (n - 1)) != 0)
    throw std::invalid_argument(std::string("the Walsh-Hadamard transform needs a power of two as the ") + what +
                                ", not " + std::to_string(n) + ".");
  int m = 0;
  while ((Eigen::Index(1) << m) < n) ++m;
  return m;
}

// (a, b) <- (a + b, a - b), in place: with MPFR numbers nothing is
// allocated (the copy into a kept temporary takes b's precision), and the
// two results are rounded as a + b and a - b would be.
template <class T>
inline void butterfly(T& a, T& b) {
  thread_local T s;
  s = b;
  b = a;
  b -= s;
  a += s;
}

// Butterflies of length n on v[0..n).
template <class T>
void fwht_line(T* v, Eigen::Index n) {
  for (Eigen::Index half = 1; half < n; half <<= 1)
    for (Eigen::Index i = 0; i < n; i += 2 * half)
      for (Eigen::Index j = i; j < i + half; ++j) butterfly(v[j], v[j + half]);
}
}  // namespace

Eigen::Index sequency_to_hadamard(Eigen::Index k, int bits) {
  const Eigen::Index gray = k ^ (k >> 1);
  Eigen::Index r = 0;
  for (int b = 0; b < bits; ++b) r |= ((gray >> b) & 1) << (bits - 1 - b);
  return r;
}

template <class T>
WalshHadamard<T>::WalshHadamard(ImageShape shape) : shape_(shape) {
  check_image_shape(shape, "the Walsh-Hadamard transform's image");
  const int mr = log2_exact(shape.rows, "number of rows"), mc = log2_exact(shape.cols, "number of columns");
  perm_.resize(static_cast<std::size_t>(shape.size()));
  for (Eigen::Index j = 0; j < shape.cols; ++j)
    for (Eigen::Index i = 0; i < shape.rows; ++i)
      perm_[i + shape.rows * j] = sequency_to_hadamard(i, mr) + shape.rows * sequency_to_hadamard(j, mc);
  using std::sqrt;
  scale_ = 1 / sqrt(Real(shape.size()));
  const Real u = number_traits<Real>::epsilon() / 2;
  bound_ = 1 + Real(1.01) * Real(mr + mc + 4) * u;
}

template <class T>
void WalshHadamard<T>::butterflies(Vector<T>& v) const {
  const Eigen::Index R = shape_.rows, C = shape_.cols;
  for (Eigen::Index j = 0; j < C; ++j) fwht_line(v.data() + j * R, R);
  // Along the rows: the same butterflies between whole (contiguous) columns,
  // so memory is read in order.
  for (Eigen::Index half = 1; half < C; half <<= 1)
    for (Eigen::Index i = 0; i < C; i += 2 * half)
      for (Eigen::Index j = i; j < i + half; ++j) {
        T* a = v.data() + j * R;
        T* b = v.data() + (j + half) * R;
        for (Eigen::Index t = 0; t < R; ++t) butterfly(a[t], b[t]);
      }
}

template <class T>
void WalshHadamard<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  if (x.size() != shape_.size())
    throw std::invalid_argument("the Walsh-Hadamard transform's input has length " + std::to_string(x.size()) +
                                " but the image has " + std::to_string(shape_.size()) + " pixels.");
  Scratch<Vector<T>, WalshTag> h;
  *h = x;
  butterflies(*h);
  scaled_copy(*h, out, true);
}

// out(k) = h(perm(k)) * scale (forward) or h(k) * scale, in place on out.
template <class T>
void WalshHadamard<T>::scaled_copy(const Vector<T>& h, Vector<T>& out, bool permuted) const {
  out.resize(shape_.size());
  for (Eigen::Index k = 0; k < shape_.size(); ++k) {
    out(k) = h(permuted ? perm_[k] : k);
    out(k) *= scale_;
  }
}

template <class T>
void WalshHadamard<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  if (y.size() != shape_.size())
    throw std::invalid_argument("the adjoint Walsh-Hadamard transform's input has length " +
                                std::to_string(y.size()) + " but the image has " + std::to_string(shape_.size()) +
                                " pixels.");
  Scratch<Vector<T>, WalshTag> h;
  h->resize(shape_.size());
  for (Eigen::Index k = 0; k < shape_.size(); ++k) (*h)(perm_[k]) = y(k);
  butterflies(*h);
  scaled_copy(*h, out, false);
}

#define BARRIERS_X(T) template class WalshHadamard<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
