// The composition A B of two operators (B applied first).
//
// E.g. A = P_Omega F W^-1: sampling composed with a synthesis transform.
// The adjoint is B^* A^*; the norm bound is the product of the two bounds,
// rounded upwards (multiplied by 1 + eps, which covers the one rounding of
// the product).
#pragma once

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class T>
class ComposedOperator final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// outer o inner. Throws std::invalid_argument for a null operand or when
  /// outer->cols() != inner->rows().
  ComposedOperator(OperatorPtr<T> outer, OperatorPtr<T> inner);

  Eigen::Index rows() const override { return outer_->rows(); }
  Eigen::Index cols() const override { return inner_->cols(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override;

 private:
  OperatorPtr<T> outer_, inner_;
};

#define BARRIERS_X(T) extern template class ComposedOperator<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
