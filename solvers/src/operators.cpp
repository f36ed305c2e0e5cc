// Linear operators and operator-norm bounds, instantiated for every scalar.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/multiprecision/detail/digits.hpp>

#include "barriers/solvers/composed_operator.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/gradient_1d.hpp"
#include "barriers/solvers/mpfr_dot.hpp"
#include "barriers/solvers/operator_norm.hpp"
#include "barriers/solvers/stacked_operator.hpp"
#include "barriers/solvers/subsampled_dft.hpp"

namespace barriers {

namespace {
template <class T>
void check_length(Eigen::Index got, Eigen::Index want, const char* what) {
  if (got != want)
    throw std::invalid_argument(std::string(what) + " has length " + std::to_string(got) +
                                " but the operator needs length " + std::to_string(want) + ".");
}
}  // namespace

// ---------------------------------------------------------------- dense
namespace {
std::atomic<unsigned> dense_threads{1};

// Calls work(first, last) for the blocks [k block, min((k+1) block, n)) of
// [0, n), spread over up to `threads` threads as contiguous runs of blocks.
// The blocks, and so each output entry's arithmetic, do not depend on
// `threads`: only which thread does a block does.
template <class F>
void for_each_block(Eigen::Index n, Eigen::Index block, unsigned threads, const F& work) {
  const Eigen::Index blocks = (n + block - 1) / block;
  const Eigen::Index t = std::min<Eigen::Index>(Eigen::Index(threads), blocks);
  auto run = [&](Eigen::Index b0, Eigen::Index b1) {
    for (Eigen::Index b = b0; b < b1; ++b) work(b * block, std::min(n, (b + 1) * block));
  };
  if (t <= 1) {
    run(0, blocks);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(t));
  std::vector<std::thread> pool;
  for (Eigen::Index k = 1; k < t; ++k)
    pool.emplace_back([&, k] {
      try {
        run(k * blocks / t, (k + 1) * blocks / t);
      } catch (...) {
        errors[static_cast<std::size_t>(k)] = std::current_exception();
      }
    });
  try {
    run(0, blocks / t);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// Output entries per block. A multiple of every SIMD row packet Eigen uses,
// so blocks are whole packets; small matrices are a single block.
constexpr Eigen::Index dense_block = 128;

template <class T>
unsigned threads_for(const Matrix<T>& A) {
  return double(A.rows()) * double(A.cols()) >= dense_parallel_threshold<T>() ? dense_threads.load() : 1u;
}

// MPFR products go through mpfr_dot: each entry of A x and A^* y (real and
// imaginary part separately) is the exact dot product of the stored numbers
// rounded once to nearest. That is at least as accurate as the mpfr_fma loop
// it replaced, whose error bound was gamma_n sum |a_k x_k|, gamma_n = n u /
// (1 - n u), u = 2^-p: once-rounding errs by at most u |sum a_k x_k| <= u
// sum |a_k x_k| <= gamma_n sum |a_k x_k| for every n >= 1 (and the complex
// parts likewise against the generic complex product's per-operation
// rounding). No solver bound depends on more: norm_bound() bounds the norm of
// the stored matrix, whatever the products' rounding.
template <class T>
constexpr bool is_mpfr = std::is_same_v<real_of<T>, mpfr_real>;

static_assert(sizeof(std::complex<mpfr_real>) == 2 * sizeof(mpfr_real),
              "std::complex<mpfr_real> must be its two parts in a row");

// Part c (0 real, 1 imaginary) of an MPFR scalar, in place.
mpfr_srcptr mpfr_part(const mpfr_real& x, int) { return x.backend().data(); }
mpfr_ptr mpfr_part(mpfr_real& x, int) { return x.backend().data(); }
mpfr_srcptr mpfr_part(const std::complex<mpfr_real>& z, int c) {
  return reinterpret_cast<const mpfr_real*>(&z)[c].backend().data();
}
mpfr_ptr mpfr_part(std::complex<mpfr_real>& z, int c) { return reinterpret_cast<mpfr_real*>(&z)[c].backend().data(); }

// The parts of count numbers entry(k) packed with one limb count, so the real
// and imaginary packs can serve in the same dot product.
template <class T, class Entry>
void pack_parts_into(std::array<MpfrPack, 2>& packs, std::size_t count, const Entry& entry) {
  constexpr int parts = number_traits<T>::is_complex ? 2 : 1;
  mpfr_prec_t prec = MPFR_PREC_MIN;
  for (std::size_t k = 0; k < count; ++k)
    for (int c = 0; c < parts; ++c) prec = std::max(prec, mpfr_get_prec(mpfr_part(entry(k), c)));
  for (int c = 0; c < parts; ++c) {
    packs[c].reset(count, prec);
    for (std::size_t k = 0; k < count; ++k) packs[c].set(k, mpfr_part(entry(k), c));
  }
}

template <class T, class Entry>
std::array<MpfrPack, 2> pack_parts(std::size_t count, const Entry& entry) {
  std::array<MpfrPack, 2> packs;
  pack_parts_into<T>(packs, count, entry);
  return packs;
}

// The mpfr_fma loops, kept for vectors with a NaN or an infinity (which
// mpfr_dot refuses): they propagate them exactly as MPFR arithmetic does.
// Column-major storage: A x runs down columns (rows first..last), A^* y takes
// contiguous column dot products.
void mpfr_gemv_rows(const Matrix<mpfr_real>& A, const Vector<mpfr_real>& x, Vector<mpfr_real>& out,
                    Eigen::Index first, Eigen::Index last) {
  for (Eigen::Index j = 0; j < A.cols(); ++j) {
    mpfr_srcptr xj = x(j).backend().data();
    for (Eigen::Index i = first; i < last; ++i)
      mpfr_fma(out(i).backend().data(), A(i, j).backend().data(), xj, out(i).backend().data(), MPFR_RNDN);
  }
}
void mpfr_gemv_transposed_cols(const Matrix<mpfr_real>& A, const Vector<mpfr_real>& y, Vector<mpfr_real>& out,
                               Eigen::Index first, Eigen::Index last) {
  for (Eigen::Index j = first; j < last; ++j) {
    mpfr_ptr acc = out(j).backend().data();
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      mpfr_fma(acc, A(i, j).backend().data(), y(i).backend().data(), acc, MPFR_RNDN);
  }
}
}  // namespace

void set_dense_operator_threads(unsigned n) { dense_threads.store(std::max(n, 1u)); }
unsigned dense_operator_threads() { return dense_threads.load(); }

// Two threads pay when half the product's time exceeds starting and joining
// them. Measured with bench_parallel_apply on the quiet 2-core development
// machine (rows x cols = multiply-adds of one product; the bench's "madds"
// column is twice that): double 0.62x at 5e5, 1.00x at 1.05e6, 1.55x at 2e6;
// complex double 0.60x at 2.1e5, 0.99x at 5e5, 1.73x at 1.05e6. Long double,
// not measured, is put with complex double. Float128 and MPFR, re-measured
// by the lead at 01:48 UTC (idle machine, `bench_parallel_apply 0.6`, after
// mpfr_dot made MPFR products about 3x cheaper): float128 1.01x at 7.2e3,
// 1.10x at 2.5e4, 1.27x at 6e4, 1.66x at 2.1e5; MPFR 128 bits 0.95x at 1.8e3,
// 0.91x at 7.2e3, 0.82x at 2.5e4, 1.12x at 6e4, 1.49x at 2.1e5, 1.44-1.53x
// above. Results do not depend on these numbers.
template <class T>
double dense_parallel_threshold() {
  if constexpr (std::is_same_v<T, double>)
    return 1.5e6;
  else if constexpr (std::is_floating_point_v<real_of<T>>)
    return 7e5;
  else if constexpr (is_mpfr<T>)
    return 5e4;
  else
    return 1e4;
}

// A's parts packed for mpfr_dot: rows (A x) and columns (A^* y), each
// contiguous; [1] is the imaginary part (complex only).
template <class T>
struct DenseOperator<T>::MpfrPacks {
  std::array<MpfrPack, 2> rows, cols;
};

namespace {
// out = A v (adjoint = false; packs.rows) or A^* v (packs.cols) by mpfr_dot.
// False, with out untouched, when v has a NaN or an infinity.
template <class T, class Packs>
bool mpfr_product(const Packs& packs, const Vector<T>& v, Vector<T>& out, bool adjoint, unsigned threads) {
  const auto len = std::size_t(v.size());
  // The pack of v and each thread's scratch are kept between calls (their
  // buffers only grow), so a product allocates nothing once they are sized.
  thread_local std::array<MpfrPack, 2> kept;
  const std::array<MpfrPack, 2>& vp = kept;  // this thread's: the workers below read it through this reference
  pack_parts_into<T>(kept, len, [&](std::size_t k) -> const T& { return v(Eigen::Index(k)); });
  if (!vp[0].usable() || !vp[1].usable()) return false;
  const std::array<MpfrPack, 2>& a = adjoint ? packs.cols : packs.rows;
  const Eigen::Index count = Eigen::Index(a[0].size() / std::max<std::size_t>(len, 1));
  out.resize(count);
  // Results at the working precision, as a number made now would have it
  // (mpfr_set_prec only where a part has another, e.g. a reused vector).
  const auto bits = mpfr_prec_t(boost::multiprecision::detail::digits10_2_2(mpfr_real::default_precision()));
  for (Eigen::Index i = 0; i < count; ++i)
    for (int c = 0; c < (number_traits<T>::is_complex ? 2 : 1); ++c)
      if (mpfr_get_prec(mpfr_part(out(i), c)) != bits) mpfr_set_prec(mpfr_part(out(i), c), bits);
  for_each_block(count, dense_block, threads, [&](Eigen::Index first, Eigen::Index last) {
    thread_local MpfrDotScratch scratch;
    for (Eigen::Index i = first; i < last; ++i) {
      const std::size_t at = std::size_t(i) * len;
      if constexpr (!number_traits<T>::is_complex) {
        const MpfrDotRun run{&a[0], at, &vp[0], 0, len};
        mpfr_dot(mpfr_part(out(i), 0), std::span(&run, 1), scratch);
      } else {
        // A x:   re = Re a Re x - Im a Im x,  im = Re a Im x + Im a Re x;
        // A^* y: re = Re a Re y + Im a Im y,  im = Re a Im y - Im a Re y.
        const MpfrDotRun re[2] = {{&a[0], at, &vp[0], 0, len}, {&a[1], at, &vp[1], 0, len, !adjoint}};
        const MpfrDotRun im[2] = {{&a[0], at, &vp[1], 0, len}, {&a[1], at, &vp[0], 0, len, adjoint}};
        mpfr_dot(mpfr_part(out(i), 0), re, scratch);
        mpfr_dot(mpfr_part(out(i), 1), im, scratch);
      }
    }
  });
  return true;
}
}  // namespace

template <class T>
DenseOperator<T>::DenseOperator(Matrix<T> A) : A_(std::move(A)) {
  if (A_.rows() == 0 || A_.cols() == 0)
    throw std::invalid_argument("the matrix is empty (" + std::to_string(A_.rows()) + " x " +
                                std::to_string(A_.cols()) + "); it needs at least one entry.");
  if (!all_finite(A_))
    throw std::invalid_argument("the matrix has a NaN or infinite entry; all entries must be finite.");
  bound_ = certified_norm_bound(A_);
  if constexpr (is_mpfr<T>) {
    const auto m = std::size_t(A_.rows()), n = std::size_t(A_.cols());
    auto packs = std::make_shared<MpfrPacks>();
    packs->rows = pack_parts<T>(m * n, [&](std::size_t k) -> const T& { return A_(Eigen::Index(k / n), Eigen::Index(k % n)); });
    packs->cols = pack_parts<T>(m * n, [&](std::size_t k) -> const T& { return A_(Eigen::Index(k % m), Eigen::Index(k / m)); });
    packs_ = std::move(packs);
  }
}

template <class T>
void DenseOperator<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  check_length<T>(x.size(), A_.cols(), "the input of A");
  if constexpr (is_mpfr<T>)
    if (mpfr_product(*packs_, x, out, false, threads_for(A_))) return;
  out.resize(A_.rows());
  if constexpr (std::is_same_v<T, mpfr_real>) {
    for (Eigen::Index i = 0; i < out.size(); ++i) out(i) = mpfr_real(0);
    for_each_block(A_.rows(), dense_block, threads_for(A_),
                   [&](Eigen::Index a, Eigen::Index b) { mpfr_gemv_rows(A_, x, out, a, b); });
  } else {
    for_each_block(A_.rows(), dense_block, threads_for(A_), [&](Eigen::Index a, Eigen::Index b) {
      out.segment(a, b - a).noalias() = A_.middleRows(a, b - a) * x;
    });
  }
}

template <class T>
void DenseOperator<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  check_length<T>(y.size(), A_.rows(), "the input of A^*");
  if constexpr (is_mpfr<T>)
    if (mpfr_product(*packs_, y, out, true, threads_for(A_))) return;
  out.resize(A_.cols());
  if constexpr (std::is_same_v<T, mpfr_real>) {
    for (Eigen::Index j = 0; j < out.size(); ++j) out(j) = mpfr_real(0);
    for_each_block(A_.cols(), dense_block, threads_for(A_),
                   [&](Eigen::Index a, Eigen::Index b) { mpfr_gemv_transposed_cols(A_, y, out, a, b); });
  } else {
    for_each_block(A_.cols(), dense_block, threads_for(A_), [&](Eigen::Index a, Eigen::Index b) {
      out.segment(a, b - a).noalias() = A_.middleCols(a, b - a).adjoint() * y;
    });
  }
}

// ---------------------------------------------------------------- DFT
template <class T>
SubsampledDft<T>::SubsampledDft(Eigen::Index N, std::vector<Eigen::Index> rows)
    : n_(N), rows_(std::move(rows)) {
  if (N < 1) throw std::invalid_argument("the DFT length is " + std::to_string(N) + "; it must be at least 1.");
  std::vector<char> seen(static_cast<std::size_t>(N), 0);
  for (Eigen::Index k : rows_) {
    if (k < 0 || k >= N)
      throw std::invalid_argument("sampled frequency " + std::to_string(k) + " is outside [0, " +
                                  std::to_string(N) + ").");
    if (seen[k]) throw std::invalid_argument("sampled frequency " + std::to_string(k) + " is listed twice; each may appear once.");
    seen[k] = 1;
  }
  using std::cos;
  using std::sin;
  using std::sqrt;
  using std::acos;
  const Real two_pi = 2 * acos(Real(-1));
  const Real scale = 1 / sqrt(Real(N));
  twiddle_.resize(N);
  for (Eigen::Index k = 0; k < N; ++k) {
    // Angles reduced to [0, 2 pi) exactly through k < N, so the table is as
    // accurate as sin/cos at the working precision.
    const Real angle = two_pi * Real(k) / Real(N);
    twiddle_(k) = T(cos(angle) * scale, -sin(angle) * scale);
  }
  const Real eps = number_traits<Real>::epsilon();
  bound_ = 1 + 4 * eps * Real(rows_.size()) + eps;
}

template <class T>
void SubsampledDft<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  check_length<T>(x.size(), n_, "the input of the DFT");
  out.resize(Eigen::Index(rows_.size()));
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const Eigen::Index k = rows_[r];
    T acc(0);
    Eigen::Index idx = 0;  // k n mod N, updated without overflow
    for (Eigen::Index n = 0; n < n_; ++n) {
      acc += twiddle_(idx) * x(n);
      idx += k;
      if (idx >= n_) idx -= n_;
    }
    out(Eigen::Index(r)) = acc;
  }
}

template <class T>
void SubsampledDft<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  check_length<T>(y.size(), Eigen::Index(rows_.size()), "the input of the adjoint DFT");
  out.setZero(n_);
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const Eigen::Index k = rows_[r];
    const T yr = y(Eigen::Index(r));
    Eigen::Index idx = 0;
    for (Eigen::Index n = 0; n < n_; ++n) {
      out(n) += std::conj(twiddle_(idx)) * yr;
      idx += k;
      if (idx >= n_) idx -= n_;
    }
  }
}

// ---------------------------------------------------------------- gradient
template <class T>
Gradient1D<T>::Gradient1D(Eigen::Index N) : n_(N) {
  if (N < 2) throw std::invalid_argument("the gradient needs a length of at least 2, not " + std::to_string(N) + ".");
}

template <class T>
void Gradient1D<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  check_length<T>(x.size(), n_, "the input of the gradient");
  out.resize(n_ - 1);
  for (Eigen::Index i = 0; i + 1 < n_; ++i) out(i) = x(i + 1) - x(i);
}

template <class T>
void Gradient1D<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  check_length<T>(y.size(), n_ - 1, "the input of the gradient's adjoint");
  out.resize(n_);
  out(0) = -y(0);
  for (Eigen::Index i = 1; i + 1 < n_; ++i) out(i) = y(i - 1) - y(i);
  out(n_ - 1) = y(n_ - 2);
}

// ---------------------------------------------------------------- composed
template <class T>
ComposedOperator<T>::ComposedOperator(OperatorPtr<T> outer, OperatorPtr<T> inner)
    : outer_(std::move(outer)), inner_(std::move(inner)) {
  if (!outer_ || !inner_) throw std::invalid_argument("a composed operator got a null operand; both must be set.");
  if (outer_->cols() != inner_->rows())
    throw std::invalid_argument("cannot compose: the outer operator takes " + std::to_string(outer_->cols()) +
                                " entries but the inner one returns " + std::to_string(inner_->rows()) + ".");
}

template <class T>
void ComposedOperator<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  Vector<T> tmp;
  inner_->apply(x, tmp);
  outer_->apply(tmp, out);
}

template <class T>
void ComposedOperator<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  Vector<T> tmp;
  outer_->apply_adjoint(y, tmp);
  inner_->apply_adjoint(tmp, out);
}

template <class T>
real_of<T> ComposedOperator<T>::norm_bound() const {
  const Real eps = number_traits<Real>::epsilon();
  return outer_->norm_bound() * inner_->norm_bound() * (1 + eps);
}

// ---------------------------------------------------------------- stacked
template <class T>
StackedOperator<T>::StackedOperator(std::vector<OperatorPtr<T>> blocks) : blocks_(std::move(blocks)) {
  if (blocks_.empty()) throw std::invalid_argument("a stacked operator needs at least one block.");
  for (const auto& b : blocks_) {
    if (!b) throw std::invalid_argument("a stacked operator got a null block; every block must be set.");
    if (b->cols() != blocks_.front()->cols())
      throw std::invalid_argument("stacked blocks must share their column count; got " +
                                  std::to_string(b->cols()) + " and " + std::to_string(blocks_.front()->cols()) + ".");
    rows_ += b->rows();
  }
}

template <class T>
void StackedOperator<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  out.resize(rows_);
  Eigen::Index offset = 0;
  Vector<T> tmp;
  for (const auto& b : blocks_) {
    b->apply(x, tmp);
    out.segment(offset, b->rows()) = tmp;
    offset += b->rows();
  }
}

template <class T>
void StackedOperator<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  check_length<T>(y.size(), rows_, "the input of the stacked adjoint");
  out.setZero(cols());
  Eigen::Index offset = 0;
  Vector<T> part, tmp;
  for (const auto& b : blocks_) {
    part = y.segment(offset, b->rows());
    b->apply_adjoint(part, tmp);
    out += tmp;
    offset += b->rows();
  }
}

template <class T>
real_of<T> StackedOperator<T>::norm_bound() const {
  using std::sqrt;
  Real s(0);
  for (const auto& b : blocks_) {
    const Real nb = b->norm_bound();
    s += nb * nb;
  }
  const Real eps = number_traits<Real>::epsilon();
  return sqrt(s) * (1 + Real(blocks_.size() + 2) * eps);
}

#define BARRIERS_X(T)                                                                    \
  template class DenseOperator<T>;                                                      \
  template double dense_parallel_threshold<T>();                                        \
  template class Gradient1D<T>;                                                         \
  template class ComposedOperator<T>;                                                   \
  template class StackedOperator<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

#define BARRIERS_X(T) template class SubsampledDft<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
