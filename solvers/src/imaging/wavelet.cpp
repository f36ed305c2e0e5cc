// The periodic multilevel orthonormal wavelet transform.
#include "barriers/solvers/imaging/wavelet.hpp"

#include <stdexcept>
#include <string>

#include "barriers/solvers/imaging/wavelet_filter.hpp"

namespace barriers {

namespace {
struct Block {
  Eigen::Index row0, col0, rows, cols;
};

// The coefficient blocks in output order (wavelet.hpp), as regions of the
// Mallat square layout.
std::vector<Block> coefficient_blocks(ImageShape s, int levels) {
  std::vector<Block> blocks;
  const bool one_d = s.is_1d();
  auto rows_at = [&](int l) { return s.rows >> l; };
  auto cols_at = [&](int l) { return one_d ? Eigen::Index(1) : s.cols >> l; };
  blocks.push_back({0, 0, rows_at(levels), cols_at(levels)});
  for (int l = levels; l >= 1; --l) {
    const Eigen::Index r = rows_at(l), c = cols_at(l);
    blocks.push_back({r, 0, r, c});
    if (!one_d) {
      blocks.push_back({0, c, r, c});
      blocks.push_back({r, c, r, c});
    }
  }
  return blocks;
}
}  // namespace

template <class T>
WaveletTransform<T>::WaveletTransform(ImageShape shape, int moments, int levels)
    : shape_(shape), levels_(levels) {
  check_image_shape(shape, "the wavelet transform's image");
  if (levels < 1 || levels > 62)
    throw std::invalid_argument("the wavelet transform needs 1..62 levels, not " + std::to_string(levels) + ".");
  const Eigen::Index unit = Eigen::Index(1) << levels;
  if (shape.rows % unit != 0 || (!shape.is_1d() && shape.cols % unit != 0))
    throw std::invalid_argument("a " + std::to_string(levels) + "-level wavelet transform needs " +
                                (shape.is_1d() ? "a length" : "both sides") + " divisible by 2^" +
                                std::to_string(levels) + " = " + std::to_string(unit) + "; the image is " +
                                std::to_string(shape.rows) + " x " + std::to_string(shape.cols) + ".");
  h_ = daubechies_filter<Real>(moments);
  const Eigen::Index L = h_.size();
  g_.resize(L);
  for (Eigen::Index k = 0; k < L; ++k) g_(k) = (k % 2 == 0 ? Real(1) : Real(-1)) * h_(L - 1 - k);
  starts_.push_back(0);
  for (const Block& b : coefficient_blocks(shape, levels)) starts_.push_back(starts_.back() + b.rows * b.cols);
  if (!shape.is_1d())  // three detail blocks per level form one range
    for (int l = 1; l <= levels; ++l) starts_.erase(starts_.begin() + l + 1, starts_.begin() + l + 3);

  // The bounds of the header comment.
  using std::abs;
  using std::sqrt;
  const Real u = number_traits<Real>::epsilon() / 2;
  const Real gammaL = Real(L) * u / (1 - Real(L) * u);
  Real h1(0), h2(0), rho(0);
  for (Eigen::Index k = 0; k < L; ++k) {
    h1 += abs(h_(k));
    h2 += h_(k) * h_(k);
  }
  for (Eigen::Index n = 0; n < L; n += 2) {
    Real r(0);
    for (Eigen::Index k = 0; k + n < L; ++k) r += h_(k) * h_(k + n);
    rho += n == 0 ? r : 2 * abs(r);
  }
  rho = (rho + Real(L + 2) * gammaL * h2) * (1 + 2 * gammaL);
  Real g = sqrt(rho) * (1 + 2 * u);
  if (g < 1) g = Real(1);
  const Real e = Real(1.4143) * gammaL * h1 * (1 + 2 * gammaL);
  const Real f = g + e;
  const int P = shape.is_1d() ? levels : 2 * levels;
  Real fp(1);
  for (int i = 0; i + 1 < P; ++i) fp *= f;  // f^(P-1)
  const Real margin = 1 + 2 * Real(P + 1) * u;
  bound_ = fp * f * margin;
  rounding_ = Real(P) * e * fp * margin;
}

template <class T>
void WaveletTransform<T>::analyse_line(T* v, Eigen::Index n, Eigen::Index stride, std::vector<T>& buf) const {
  const Eigen::Index half = n / 2, L = h_.size();
  for (Eigen::Index j = 0; j < half; ++j) {
    T a(0), d(0);
    for (Eigen::Index k = 0; k < L; ++k) {
      const T& x = v[((2 * j + k) % n) * stride];
      a += x * h_(k);
      d += x * g_(k);
    }
    buf[j] = a;
    buf[half + j] = d;
  }
  for (Eigen::Index i = 0; i < n; ++i) v[i * stride] = buf[i];
}

template <class T>
void WaveletTransform<T>::synthesise_line(T* v, Eigen::Index n, Eigen::Index stride, std::vector<T>& buf) const {
  const Eigen::Index half = n / 2, L = h_.size();
  for (Eigen::Index i = 0; i < n; ++i) buf[i] = T(0);
  for (Eigen::Index j = 0; j < half; ++j) {
    const T& a = v[j * stride];
    const T& d = v[(half + j) * stride];
    for (Eigen::Index k = 0; k < L; ++k) buf[(2 * j + k) % n] += a * h_(k) + d * g_(k);
  }
  for (Eigen::Index i = 0; i < n; ++i) v[i * stride] = buf[i];
}

template <class T>
void WaveletTransform<T>::gather(const Vector<T>& mallat, Vector<T>& out) const {
  out.resize(shape_.size());
  Eigen::Index p = 0;
  for (const Block& b : coefficient_blocks(shape_, levels_))
    for (Eigen::Index j = 0; j < b.cols; ++j)
      for (Eigen::Index i = 0; i < b.rows; ++i) out(p++) = mallat(b.row0 + i + shape_.rows * (b.col0 + j));
}

template <class T>
void WaveletTransform<T>::scatter(const Vector<T>& coeffs, Vector<T>& mallat) const {
  mallat.resize(shape_.size());
  Eigen::Index p = 0;
  for (const Block& b : coefficient_blocks(shape_, levels_))
    for (Eigen::Index j = 0; j < b.cols; ++j)
      for (Eigen::Index i = 0; i < b.rows; ++i) mallat(b.row0 + i + shape_.rows * (b.col0 + j)) = coeffs(p++);
}

template <class T>
void WaveletTransform<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  if (x.size() != shape_.size())
    throw std::invalid_argument("the wavelet transform's input has length " + std::to_string(x.size()) +
                                " but the image has " + std::to_string(shape_.size()) + " pixels.");
  const Eigen::Index R = shape_.rows;
  Vector<T> m = x;
  std::vector<T> buf(static_cast<std::size_t>(std::max(R, shape_.cols)));
  for (int l = 0; l < levels_; ++l) {
    const Eigen::Index r = R >> l, c = shape_.is_1d() ? 1 : shape_.cols >> l;
    for (Eigen::Index j = 0; j < c; ++j) analyse_line(m.data() + j * R, r, 1, buf);
    if (!shape_.is_1d())
      for (Eigen::Index i = 0; i < r; ++i) analyse_line(m.data() + i, c, R, buf);
  }
  gather(m, out);
}

template <class T>
void WaveletTransform<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  if (y.size() != shape_.size())
    throw std::invalid_argument("the inverse wavelet transform's input has length " + std::to_string(y.size()) +
                                " but the image has " + std::to_string(shape_.size()) + " pixels.");
  const Eigen::Index R = shape_.rows;
  Vector<T> m;
  scatter(y, m);
  std::vector<T> buf(static_cast<std::size_t>(std::max(R, shape_.cols)));
  for (int l = levels_ - 1; l >= 0; --l) {
    const Eigen::Index r = R >> l, c = shape_.is_1d() ? 1 : shape_.cols >> l;
    if (!shape_.is_1d())
      for (Eigen::Index i = 0; i < r; ++i) synthesise_line(m.data() + i, c, R, buf);
    for (Eigen::Index j = 0; j < c; ++j) synthesise_line(m.data() + j * R, r, 1, buf);
  }
  out = std::move(m);
}

#define BARRIERS_X(T) template class WaveletTransform<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
