// Linear operators and operator-norm bounds, instantiated for every scalar.
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "barriers/solvers/composed_operator.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/gradient_1d.hpp"
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
// For mpfr_real, Eigen's generic product allocates a temporary for every
// multiplication (et_off numbers); accumulating with mpfr_fma into one value
// per output entry avoids that and rounds once per multiply-add. Column-major
// storage: A x runs down columns, A^* y takes contiguous column dot products.
void mpfr_gemv(const Matrix<mpfr_real>& A, const Vector<mpfr_real>& x, Vector<mpfr_real>& out) {
  out.resize(A.rows());
  for (Eigen::Index i = 0; i < A.rows(); ++i) out(i) = mpfr_real(0);  // takes the working precision
  for (Eigen::Index j = 0; j < A.cols(); ++j) {
    mpfr_srcptr xj = x(j).backend().data();
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      mpfr_fma(out(i).backend().data(), A(i, j).backend().data(), xj, out(i).backend().data(), MPFR_RNDN);
  }
}
void mpfr_gemv_transposed(const Matrix<mpfr_real>& A, const Vector<mpfr_real>& y, Vector<mpfr_real>& out) {
  out.resize(A.cols());
  for (Eigen::Index j = 0; j < A.cols(); ++j) {
    mpfr_real acc(0);
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      mpfr_fma(acc.backend().data(), A(i, j).backend().data(), y(i).backend().data(), acc.backend().data(),
               MPFR_RNDN);
    out(j) = acc;
  }
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
}

template <class T>
void DenseOperator<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  check_length<T>(x.size(), A_.cols(), "the input of A");
  if constexpr (std::is_same_v<T, mpfr_real>)
    mpfr_gemv(A_, x, out);
  else
    out.noalias() = A_ * x;
}

template <class T>
void DenseOperator<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  check_length<T>(y.size(), A_.rows(), "the input of A^*");
  if constexpr (std::is_same_v<T, mpfr_real>)
    mpfr_gemv_transposed(A_, y, out);
  else
    out.noalias() = A_.adjoint() * y;
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

// ---------------------------------------------------------------- norms
template <class T>
real_of<T> power_iteration(const LinearOperator<T>& A, int iterations, std::uint64_t seed,
                           real_of<T> rel_tol) {
  using R = real_of<T>;
  using std::sqrt;
  if (iterations < 1)
    throw std::invalid_argument("power iteration needs at least 1 iteration, not " + std::to_string(iterations) + ".");
  std::mt19937_64 rng(seed);
  // Uniform in (-1, 1) from 53 random bits: portable, unlike std distributions.
  auto uni = [&rng] { return double(rng() >> 11) * 0x1p-52 - 1.0; };
  Vector<T> x(A.cols());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if constexpr (number_traits<T>::is_complex)
      x(i) = T(R(uni()), R(uni()));
    else
      x(i) = T(uni());
  }
  R estimate(0);
  Vector<T> ax, atax;
  for (int it = 0; it < iterations; ++it) {
    const R nx = x.norm();
    if (nx == 0) return R(0);  // A^* A x vanished: A = 0 on the span reached
    x /= nx;
    A.apply(x, ax);
    const R next = ax.norm();  // ||A x|| with ||x|| = 1: a lower estimate
    A.apply_adjoint(ax, atax);
    x = atax;
    using std::abs;
    const bool settled = rel_tol > 0 && abs(next - estimate) <= rel_tol * next;
    estimate = next;
    if (settled) break;
  }
  return estimate;
}

template <class T>
real_of<T> certified_norm_bound(const Matrix<T>& A) {
  using R = real_of<T>;
  using std::sqrt;
  using std::min;
  using std::max;
  const Eigen::Index m = A.rows(), n = A.cols();
  Vector<R> col = Vector<R>::Zero(n), row = Vector<R>::Zero(m);
  R frob(0);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      const R a = modulus(A(i, j));
      col(j) += a;
      row(i) += a;
      frob += a * a;
    }
  R one(0), inf(0);
  for (Eigen::Index j = 0; j < n; ++j) one = max(one, col(j));
  for (Eigen::Index i = 0; i < m; ++i) inf = max(inf, row(i));
  const R eps = number_traits<R>::epsilon();
  const R k = R(std::max<Eigen::Index>(m * n, m + n));
  const R margin = (k + 6) * eps;
  if (!(margin < R(0.5)))
    throw std::domain_error("the matrix is too large (" + std::to_string(m) + " x " + std::to_string(n) +
                            ") for a certified norm bound at " + std::to_string(number_traits<R>::precision_bits()) +
                            " bits; raise the working precision.");
  R bound = min(sqrt(one * inf), sqrt(frob)) * (1 + margin);
  // Gershgorin on the smaller Gram matrix G (A A^* or A^* A, size s, inner
  // length d): ||A||^2 = rho(G) <= max_j sum_k |g_jk|. Computed entries obey
  // |fl(g_jk) - g_jk| <= (d + 2) eps sum_i |a_ji| |a_ki| (dot product, complex
  // product), and summed over k that is at most (d + 2) eps ||A||_1 ||A||_inf.
  // The row sums add (s + 6) eps relative, as above. Exact for block structures
  // like the Table-1 matrix, where the other two bounds are 4x too large.
  // Skipped when forming G would cost more than 1e7 multiply-adds (2e5 for
  // software types such as float128 and MPFR, whose operations cost 100x more).
  const Eigen::Index s = std::min(m, n), d = std::max(m, n);
  const double budget = std::is_floating_point_v<R> ? 1e7 : 2e5;
  if (double(s) * double(s) * double(d) <= budget) {
    const Matrix<T> G = m <= n ? Matrix<T>(A * A.adjoint()) : Matrix<T>(A.adjoint() * A);
    R rows(0);
    for (Eigen::Index j = 0; j < s; ++j) {
      R sum(0);
      for (Eigen::Index k = 0; k < s; ++k) sum += modulus(G(j, k));
      rows = max(rows, sum);
    }
    const R slack = R(d + 2) * eps * one * inf * (1 + margin);
    const R gram = sqrt((rows * (1 + R(s + 6) * eps) + slack) * (1 + 2 * eps)) * (1 + 4 * eps);
    bound = min(bound, gram);
  }
  if (!is_finite_scalar(bound))
    throw std::domain_error("the norm bound overflowed; the matrix entries are too large for this number type.");
  return bound;
}

#define BARRIERS_X(T)                                                                    \
  template class DenseOperator<T>;                                                      \
  template class Gradient1D<T>;                                                         \
  template class ComposedOperator<T>;                                                   \
  template class StackedOperator<T>;                                                    \
  template real_of<T> power_iteration<T>(const LinearOperator<T>&, int, std::uint64_t, real_of<T>); \
  template real_of<T> certified_norm_bound<T>(const Matrix<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

#define BARRIERS_X(T) template class SubsampledDft<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
