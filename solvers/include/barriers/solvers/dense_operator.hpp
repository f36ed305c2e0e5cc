// A dense matrix (Eigen) as a LinearOperator.
//
// The workhorse for small and moderate problems (the 21 x 22 Table-1 family,
// the 80 x 200 Gaussian instances). Its norm bound is certified (see
// operator_norm.hpp): a solver that takes its step sizes from it satisfies
// tau sigma ||A||^2 < 1 for the matrix actually stored, not just roughly.
// For MPFR (real and complex) every entry (each part) of A x and A^* y is the
// exact dot product of the stored numbers rounded once to nearest at the
// working precision (mpfr_dot.hpp); the matrix is packed for that once, here.
#pragma once

#include <memory>

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

/// Threads a dense operator's product may use (process-wide; default 1, so
/// experiment cells that already run in parallel are not oversubscribed).
/// Products large enough to gain (dense_parallel_threshold multiply-adds)
/// split the output entries in fixed blocks that do not depend on this
/// number, and every entry is computed by one thread in one fixed order, so
/// results are bit-identical for any thread count. n = 0 is taken as 1.
void set_dense_operator_threads(unsigned n);
unsigned dense_operator_threads();

/// Products below this many multiply-adds stay on one thread (thread start-up
/// costs more than the product). Measured with bench/bench_parallel_apply.
template <class T>
double dense_parallel_threshold();

template <class T>
class DenseOperator final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// Throws std::invalid_argument for an empty matrix or NaN/Inf entries.
  /// The norm bound is computed here, at the working precision in force.
  explicit DenseOperator(Matrix<T> A);

  Eigen::Index rows() const override { return A_.rows(); }
  Eigen::Index cols() const override { return A_.cols(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override { return bound_; }

  const Matrix<T>& matrix() const { return A_; }

  struct MpfrPacks;

 private:
  Matrix<T> A_;
  Real bound_;
  // MPFR only: A's rows and columns packed once for mpfr_dot.
  std::shared_ptr<const MpfrPacks> packs_;
};

#define BARRIERS_X(T) \
  extern template class DenseOperator<T>; \
  extern template double dense_parallel_threshold<T>();
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
