// The periodic multilevel orthonormal wavelet transform.
#include "barriers/solvers/imaging/wavelet.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "barriers/solvers/imaging/wavelet_filter.hpp"
#include "scratch.hpp"

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
  for (const Block& b : coefficient_blocks(shape, levels)) {
    starts_.push_back(starts_.back() + b.rows * b.cols);
    for (Eigen::Index j = 0; j < b.cols; ++j)
      for (Eigen::Index i = 0; i < b.rows; ++i) mallat_index_.push_back(b.row0 + i + shape.rows * (b.col0 + j));
  }
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
// i mod n for -L <= i < 2 n + L: a loop, as % (a division) would dominate
// the short filter loops.
inline Eigen::Index wrap(Eigen::Index i, Eigen::Index n) {
  while (i < 0) i += n;
  while (i >= n) i -= n;
  return i;
}

// The passes work on `width` interleaved real signals of length n: entry i
// of signal t at v[i * stride + t]. Complex data are passed as their real
// and imaginary parts (the filter is real, so each part is transformed on
// its own; std::complex<R> is stored as R[2]). Every output is the same sum
// in the same order (k ascending, from 0) whatever the width and the code
// path below, so the result does not depend on how many signals a pass has.
//
// For the built-in types, `lanes` signals at a time are summed in local
// arrays, which the compiler keeps in vector registers over the k loop
// (loads of the inputs, FMAs, one store per output); the rest, and every
// MPFR output, one output at a time. The fixed lane count matters: GCC's
// -O2 vectoriser leaves loops with run-time trip counts scalar.
constexpr Eigen::Index lanes = 8;
template <class S>
constexpr bool in_lanes = std::is_trivially_copyable_v<S>;

// Filter taps per output, at most 2 max_daubechies_moments.
using Offsets = std::array<Eigen::Index, 2 * max_daubechies_moments>;

// One analysis level: out row j = a_j, row n/2 + j = d_j (j < n/2):
// a_j = sum_k h_k x_{(2j+k) mod n}, d_j likewise with g (any L, also L > n).
template <class S>
void analyse(const S* v, Eigen::Index n, Eigen::Index stride, Eigen::Index width, const Vector<S>& h,
             const Vector<S>& g, S* out) {
  const Eigen::Index half = n / 2, L = h.size();
  Offsets off;
  for (Eigen::Index j = 0; j < half; ++j) {
    for (Eigen::Index k = 0; k < L; ++k) off[k] = wrap(2 * j + k, n) * stride;
    S* a_row = out + j * width;
    S* d_row = out + (half + j) * width;
    Eigen::Index t0 = 0;
    if constexpr (in_lanes<S>) {
      for (; t0 + lanes <= width; t0 += lanes) {
        S a[lanes] = {}, d[lanes] = {};
        for (Eigen::Index k = 0; k < L; ++k) {
          const S* x = v + off[k] + t0;
          const S hk = h(k), gk = g(k);
          for (Eigen::Index t = 0; t < lanes; ++t) {
            a[t] += x[t] * hk;
            d[t] += x[t] * gk;
          }
        }
        for (Eigen::Index t = 0; t < lanes; ++t) {
          a_row[t0 + t] = a[t];
          d_row[t0 + t] = d[t];
        }
      }
    }
    if constexpr (!std::is_same_v<S, mpfr_real>) {  // as written (the compiler may fuse a multiply-add)
      for (Eigen::Index t = t0; t < width; ++t) {
        S a(0), d(0);
        for (Eigen::Index k = 0; k < L; ++k) {
          const S& x = v[off[k] + t];
          a += x * h(k);
          d += x * g(k);
        }
        a_row[t] = a;
        d_row[t] = d;
      }
      continue;
    }
    // MPFR one entry at a time, in place (no number is created): each
    // product rounded, then added, as a += x * h would round.
    thread_local S p;
    for (Eigen::Index t = t0; t < width; ++t) {
      S& a = a_row[t];
      S& d = d_row[t];
      a = v[off[0] + t];  // 0 + x h(0) is x h(0) exactly
      a *= h(0);
      d = v[off[0] + t];
      d *= g(0);
      for (Eigen::Index k = 1; k < L; ++k) {
        const S& x = v[off[k] + t];
        p = x;
        p *= h(k);
        a += p;
        p = x;
        p *= g(k);
        d += p;
      }
    }
  }
}

// The transpose of analyse: x_i = sum of a_j h_k + d_j g_k over the pairs
// 2 j + k = i mod n (k = i mod 2, i mod 2 + 2, ... < L; one j each), L
// products per output as in the analysis.
template <class S>
void synthesise(const S* v, Eigen::Index n, Eigen::Index stride, Eigen::Index width, const Vector<S>& h,
                const Vector<S>& g, S* out) {
  const Eigen::Index half = n / 2, L = h.size();
  Offsets ks, off_a;
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::Index terms = 0;
    for (Eigen::Index k = i % 2; k < L; k += 2, ++terms) {
      ks[terms] = k;
      off_a[terms] = wrap(i - k, n) / 2 * stride;
    }
    const Eigen::Index off_d = half * stride;  // d_j sits half rows after a_j
    S* x_row = out + i * width;
    Eigen::Index t0 = 0;
    if constexpr (in_lanes<S>) {
      for (; t0 + lanes <= width; t0 += lanes) {
        S x[lanes] = {};
        for (Eigen::Index q = 0; q < terms; ++q) {
          const S* a = v + off_a[q] + t0;
          const S* d = a + off_d;
          const S hk = h(ks[q]), gk = g(ks[q]);
          for (Eigen::Index t = 0; t < lanes; ++t) x[t] += a[t] * hk + d[t] * gk;
        }
        for (Eigen::Index t = 0; t < lanes; ++t) x_row[t0 + t] = x[t];
      }
    }
    if constexpr (!std::is_same_v<S, mpfr_real>) {
      for (Eigen::Index t = t0; t < width; ++t) {
        S x(0);
        for (Eigen::Index q = 0; q < terms; ++q)
          x += v[off_a[q] + t] * h(ks[q]) + v[off_a[q] + off_d + t] * g(ks[q]);
        x_row[t] = x;
      }
      continue;
    }
    // MPFR in place as in analyse: x += a h + d g with the products
    // rounded, then their sum, then the addition.
    thread_local S p, q2;
    for (Eigen::Index t = t0; t < width; ++t) {
      S& x = x_row[t];
      for (Eigen::Index q = 0; q < terms; ++q) {
        p = v[off_a[q] + t];
        p *= h(ks[q]);
        q2 = v[off_a[q] + off_d + t];
        q2 *= g(ks[q]);
        p += q2;
        if (q == 0)
          x = p;
        else
          x += p;
      }
    }
  }
}

// dst = src where src is not read again before it is overwritten: MPFR
// values are swapped (no copy of their limbs), the others copied.
template <class S>
inline void move_value(S& dst, S& src) {
  if constexpr (std::is_same_v<S, mpfr_real>)
    dst.swap(src);
  else
    dst = src;
}

template <class S>
using Pass = void (*)(const S*, Eigen::Index, Eigen::Index, Eigen::Index, const Vector<S>&, const Vector<S>&, S*);

// Reals per panel row: columns are copied side by side into a contiguous
// panel, 16 / w at a time, so that the passes run `lanes` signals at once
// instead of the one or two reals of a single column (16 measured fastest
// at 256 x 256 among 8, 16 and 32).
constexpr Eigen::Index panel_reals = 16;

// A pass along every column of a block of r x c entries of w reals each,
// entry (i, j) at v[j * ld + i * w]: panels of P columns are copied into
// `panel` (rows of P w reals), transformed into `buf`, and copied back.
template <class S>
void along_columns(Pass<S> pass, S* v, Eigen::Index r, Eigen::Index c, Eigen::Index ld, Eigen::Index w,
             const Vector<S>& h, const Vector<S>& g, S* panel, S* buf) {
  const Eigen::Index P = std::max<Eigen::Index>(1, panel_reals / w);
  for (Eigen::Index j0 = 0; j0 < c; j0 += P) {
    const Eigen::Index cols = std::min(P, c - j0), width = cols * w;
    for (Eigen::Index p = 0; p < cols; ++p) {
      S* col = v + (j0 + p) * ld;
      for (Eigen::Index i = 0; i < r; ++i)
        for (Eigen::Index t = 0; t < w; ++t) move_value(panel[i * width + p * w + t], col[i * w + t]);
    }
    pass(panel, r, width, width, h, g, buf);
    for (Eigen::Index p = 0; p < cols; ++p) {
      S* col = v + (j0 + p) * ld;
      for (Eigen::Index i = 0; i < r; ++i)
        for (Eigen::Index t = 0; t < w; ++t) move_value(col[i * w + t], buf[i * width + p * w + t]);
    }
  }
}

// A pass along every row of the same block: entry i of the signals is
// column i, r w contiguous reals, so the pass reads whole columns.
template <class S>
void along_rows(Pass<S> pass, S* v, Eigen::Index r, Eigen::Index c, Eigen::Index ld, Eigen::Index w, const Vector<S>& h,
          const Vector<S>& g, S* buf) {
  const Eigen::Index width = r * w;
  pass(v, c, ld, width, h, g, buf);
  for (Eigen::Index i = 0; i < c; ++i)
    for (Eigen::Index t = 0; t < width; ++t) move_value(v[i * ld + t], buf[i * width + t]);
}

template <class T>
constexpr Eigen::Index reals_per_entry = number_traits<T>::is_complex ? 2 : 1;

// The reals of a vector of T (std::complex<R> is stored as R[2]).
template <class T>
real_of<T>* reals(T* p) {
  static_assert(sizeof(T) == reals_per_entry<T> * sizeof(real_of<T>), "complex numbers are not stored as two reals");
  return reinterpret_cast<real_of<T>*>(p);
}
template <class T>
const real_of<T>* reals(const T* p) {
  return reals(const_cast<T*>(p));
}

using imaging_detail::at_least;
using imaging_detail::Scratch;
struct MallatTag;  // the image being analysed, in the Mallat layout
struct BufferTag;  // a pass's output
struct PanelTag;   // columns side by side
}  // namespace

template <class T>
void WaveletTransform<T>::gather(const T* mallat, Vector<T>& out) const {
  out.resize(shape_.size());
  Eigen::Index p = 0;
  for (const Eigen::Index k : mallat_index_) out(p++) = mallat[k];
}

template <class T>
void WaveletTransform<T>::scatter(const Vector<T>& coeffs, T* mallat) const {
  Eigen::Index p = 0;
  for (const Eigen::Index k : mallat_index_) mallat[k] = coeffs(p++);
}

template <class T>
void WaveletTransform<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  const Eigen::Index N = shape_.size(), R = shape_.rows, w = reals_per_entry<T>;
  if (x.size() != N)
    throw std::invalid_argument("the wavelet transform's input has length " + std::to_string(x.size()) +
                                " but the image has " + std::to_string(N) + " pixels.");
  Scratch<std::vector<Real>, MallatTag> m_s;
  Scratch<std::vector<Real>, BufferTag> buf_s;
  Scratch<std::vector<Real>, PanelTag> panel_s;
  Real* m = at_least(*m_s, std::size_t(w * N));
  Real* buf = at_least(*buf_s, std::size_t(w * N));
  Real* panel = at_least(*panel_s, std::size_t(w * R * std::max<Eigen::Index>(1, panel_reals / w)));
  const Real* xr = reals(x.data());
  std::copy(xr, xr + w * N, m);
  for (int l = 0; l < levels_; ++l) {
    const Eigen::Index r = R >> l, c = shape_.is_1d() ? 1 : shape_.cols >> l;
    along_columns<Real>(analyse<Real>, m, r, c, w * R, w, h_, g_, panel, buf);
    if (!shape_.is_1d()) along_rows<Real>(analyse<Real>, m, r, c, w * R, w, h_, g_, buf);
  }
  gather(reinterpret_cast<const T*>(m), out);
}

template <class T>
void WaveletTransform<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  const Eigen::Index N = shape_.size(), R = shape_.rows, w = reals_per_entry<T>;
  if (y.size() != N)
    throw std::invalid_argument("the inverse wavelet transform's input has length " + std::to_string(y.size()) +
                                " but the image has " + std::to_string(N) + " pixels.");
  if (y.data() == out.data()) {  // scattered into out below: work from a copy
    const Vector<T> copy = y;
    apply_adjoint(copy, out);
    return;
  }
  Scratch<std::vector<Real>, BufferTag> buf_s;
  Scratch<std::vector<Real>, PanelTag> panel_s;
  Real* buf = at_least(*buf_s, std::size_t(w * N));
  Real* panel = at_least(*panel_s, std::size_t(w * R * std::max<Eigen::Index>(1, panel_reals / w)));
  out.resize(N);
  scatter(y, out.data());
  Real* v = reals(out.data());
  for (int l = levels_ - 1; l >= 0; --l) {
    const Eigen::Index r = R >> l, c = shape_.is_1d() ? 1 : shape_.cols >> l;
    if (!shape_.is_1d()) along_rows<Real>(synthesise<Real>, v, r, c, w * R, w, h_, g_, buf);
    along_columns<Real>(synthesise<Real>, v, r, c, w * R, w, h_, g_, panel, buf);
  }
}

#define BARRIERS_X(T) template class WaveletTransform<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
