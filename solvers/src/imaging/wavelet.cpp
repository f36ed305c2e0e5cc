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

namespace {
// i mod n for -n <= i < 2 n + L: a loop, as % (a division) would dominate
// the short filter loops.
inline Eigen::Index wrap(Eigen::Index i, Eigen::Index n) {
  while (i < 0) i += n;
  while (i >= n) i -= n;
  return i;
}

// One level along one dimension of a block: `width` independent signals of
// length n, signal t's entry i at v[i * stride + t] (a column: stride 1; the
// rows of a column-major block: stride R, read and written as whole
// contiguous columns). Every output is the same sum, in the same order,
// whichever layout. S is the real type: complex data are passed as their
// interleaved real and imaginary parts (the filter is real, so each part is
// transformed on its own; std::complex<R> is stored as R[2]).
template <class S>
void analyse(S* v, Eigen::Index n, Eigen::Index stride, Eigen::Index width, const Vector<S>& h, const Vector<S>& g,
             std::vector<S>& buf) {
  const Eigen::Index half = n / 2, L = h.size();
  std::vector<Eigen::Index> offset(static_cast<std::size_t>(L));
  for (Eigen::Index j = 0; j < half; ++j) {
    for (Eigen::Index k = 0; k < L; ++k) offset[k] = wrap(2 * j + k, n) * stride;
    if (width >= 8) {  // many signals: stream over them, k by k
      S* __restrict a = buf.data() + j * width;
      S* __restrict d = buf.data() + (half + j) * width;
      for (Eigen::Index t = 0; t < width; ++t) a[t] = d[t] = S(0);
      for (Eigen::Index k = 0; k < L; ++k) {
        const S* __restrict x = v + offset[k];
        for (Eigen::Index t = 0; t < width; ++t) {
          a[t] += x[t] * h(k);
          d[t] += x[t] * g(k);
        }
      }
      continue;
    }
    // Few signals: accumulate each output in a local, not through memory.
    for (Eigen::Index t = 0; t < width; ++t) {
      S a(0), d(0);
      for (Eigen::Index k = 0; k < L; ++k) {
        const S& x = v[offset[k] + t];
        a += x * h(k);
        d += x * g(k);
      }
      buf[j * width + t] = a;
      buf[(half + j) * width + t] = d;
    }
  }
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index t = 0; t < width; ++t) v[i * stride + t] = buf[i * width + t];
}

template <class S>
void gather_synthesis(const S* v, Eigen::Index n, Eigen::Index stride, Eigen::Index width, const Vector<S>& h,
                      const Vector<S>& g, std::vector<S>& buf);

// The transpose of analyse: x_i = sum of a_j h_k + d_j g_k over the pairs
// 2 j + k = i mod n, L products per output as in the analysis. Many signals:
// scattered j by j; few: gathered per output (for k = i mod 2, k < L, one j
// each), so each sum stays in a local. Only the order of the L terms
// differs, which the error bound allows.
template <class S>
void synthesise(S* v, Eigen::Index n, Eigen::Index stride, Eigen::Index width, const Vector<S>& h,
                const Vector<S>& g, std::vector<S>& buf) {
  const Eigen::Index half = n / 2, L = h.size();
  if (width >= 8) {  // many signals: scatter over them, j by j and k by k
    for (Eigen::Index i = 0; i < n * width; ++i) buf[i] = S(0);
    for (Eigen::Index j = 0; j < half; ++j) {
      const S* __restrict a = v + j * stride;
      const S* __restrict d = v + (half + j) * stride;
      for (Eigen::Index k = 0; k < L; ++k) {
        S* __restrict x = buf.data() + wrap(2 * j + k, n) * width;
        for (Eigen::Index t = 0; t < width; ++t) x[t] += a[t] * h(k) + d[t] * g(k);
      }
    }
  } else {
    gather_synthesis(v, n, stride, width, h, g, buf);
  }
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index t = 0; t < width; ++t) v[i * stride + t] = buf[i * width + t];
}

template <class S>
void gather_synthesis(const S* v, Eigen::Index n, Eigen::Index stride, Eigen::Index width, const Vector<S>& h,
                      const Vector<S>& g, std::vector<S>& buf) {
  const Eigen::Index half = n / 2, L = h.size();
  std::vector<Eigen::Index> ks, off_a, off_d;
  for (Eigen::Index i = 0; i < n; ++i) {
    ks.clear();
    off_a.clear();
    off_d.clear();
    for (Eigen::Index k = i % 2; k < L; k += 2) {
      const Eigen::Index j = wrap(i - k, n) / 2;
      ks.push_back(k);
      off_a.push_back(j * stride);
      off_d.push_back((half + j) * stride);
    }
    for (Eigen::Index t = 0; t < width; ++t) {
      S x(0);
      for (std::size_t q = 0; q < ks.size(); ++q) x += v[off_a[q] + t] * h(ks[q]) + v[off_d[q] + t] * g(ks[q]);
      buf[i * width + t] = x;
    }
  }
}

// The real parts view of v: (pointer, 1) for real T, (pointer, 2) for complex.
template <class T>
std::pair<real_of<T>*, Eigen::Index> real_view(Vector<T>& v) {
  if constexpr (number_traits<T>::is_complex) {
    static_assert(sizeof(T) == 2 * sizeof(real_of<T>), "complex numbers are not stored as two reals");
    return {reinterpret_cast<real_of<T>*>(v.data()), 2};
  } else {
    return {v.data(), 1};
  }
}
}  // namespace

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
  const auto [v, w] = real_view(m);  // w reals per entry
  std::vector<Real> buf(static_cast<std::size_t>(w * shape_.size()));
  for (int l = 0; l < levels_; ++l) {
    const Eigen::Index r = R >> l, c = shape_.is_1d() ? 1 : shape_.cols >> l;
    for (Eigen::Index j = 0; j < c; ++j) analyse(v + w * j * R, r, w, w, h_, g_, buf);
    if (!shape_.is_1d()) analyse(v, c, w * R, w * r, h_, g_, buf);
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
  const auto [v, w] = real_view(m);
  std::vector<Real> buf(static_cast<std::size_t>(w * shape_.size()));
  for (int l = levels_ - 1; l >= 0; --l) {
    const Eigen::Index r = R >> l, c = shape_.is_1d() ? 1 : shape_.cols >> l;
    if (!shape_.is_1d()) synthesise(v, c, w * R, w * r, h_, g_, buf);
    for (Eigen::Index j = 0; j < c; ++j) synthesise(v + w * j * R, r, w, w, h_, g_, buf);
  }
  out = std::move(m);
}

#define BARRIERS_X(T) template class WaveletTransform<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
