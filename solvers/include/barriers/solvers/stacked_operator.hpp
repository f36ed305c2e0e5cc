// Vertical stacking [A_1; A_2; ...; A_k] of operators with the same domain.
//
// Used to put a data term and a regulariser under one primal-dual step
// (K = [A; B]). The adjoint sums the blocks' adjoints; the norm bound is
// sqrt(sum_i bound_i^2) (since ||K x||^2 = sum_i ||A_i x||^2), multiplied by
// 1 + (k + 2) eps to cover the roundings of the k squares, the sum and sqrt.
#pragma once

#include <vector>

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class T>
class StackedOperator final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// Throws std::invalid_argument for no blocks, a null block, or blocks
  /// whose column counts differ.
  explicit StackedOperator(std::vector<OperatorPtr<T>> blocks);

  Eigen::Index rows() const override { return rows_; }
  Eigen::Index cols() const override { return blocks_.front()->cols(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override;

 private:
  std::vector<OperatorPtr<T>> blocks_;
  Eigen::Index rows_ = 0;
};

#define BARRIERS_X(T) extern template class StackedOperator<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
