// The 1D discrete gradient (forward differences): (D x)_i = x_{i+1} - x_i.
//
// D maps C^N to C^(N-1); ||D x||_1 is the total variation of x, the usual B
// in WARPd's min J(x) + ||B x||_1. The entries are +-1, so nothing is
// rounded in storing it, and ||D||_2 = 2 cos(pi / (2N)) < 2 exactly: 2 is a
// certified norm bound at every precision.
#pragma once

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class T>
class Gradient1D final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// Throws std::invalid_argument when N < 2.
  explicit Gradient1D(Eigen::Index N);

  Eigen::Index rows() const override { return n_ - 1; }
  Eigen::Index cols() const override { return n_; }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override { return Real(2); }

 private:
  Eigen::Index n_;
};

#define BARRIERS_X(T) extern template class Gradient1D<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
