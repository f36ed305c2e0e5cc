// A dense matrix (Eigen) as a LinearOperator.
//
// The workhorse for small and moderate problems (the 21 x 22 Table-1 family,
// the 80 x 200 Gaussian instances). Its norm bound is certified (see
// operator_norm.hpp): a solver that takes its step sizes from it satisfies
// tau sigma ||A||^2 < 1 for the matrix actually stored, not just roughly.
#pragma once

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

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

 private:
  Matrix<T> A_;
  Real bound_;
};

#define BARRIERS_X(T) extern template class DenseOperator<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
