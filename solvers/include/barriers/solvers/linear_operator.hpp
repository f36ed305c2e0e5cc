// The abstract linear operator every solver works with.
//
// The algorithms only ever need x -> A x, y -> A^* y, the sizes and an upper
// bound on ||A||_2 (to choose step sizes), so that is the whole interface.
// Structured operators (subsampled DFT, discrete gradient, compositions,
// stacks) then cost no more than their fast application, and a dense matrix
// is just one more operator. A^* is the conjugate transpose (the plain
// transpose for real T), i.e. the adjoint for <u, v> = sum conj(u_i) v_i.
#pragma once

#include <memory>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

template <class T>
class LinearOperator {
 public:
  using Scalar = T;
  using Real = real_of<T>;

  virtual ~LinearOperator() = default;

  virtual Eigen::Index rows() const = 0;
  virtual Eigen::Index cols() const = 0;

  /// out = A x (x has cols() entries; out is resized to rows()).
  virtual void apply(const Vector<T>& x, Vector<T>& out) const = 0;
  /// out = A^* y (y has rows() entries; out is resized to cols()).
  virtual void apply_adjoint(const Vector<T>& y, Vector<T>& out) const = 0;

  /// An upper bound on ||A||_2 of the operator as stored (each class says how
  /// it is obtained and how rounding is accounted for).
  virtual Real norm_bound() const = 0;

  /// Convenience forms returning a new vector.
  Vector<T> forward(const Vector<T>& x) const {
    Vector<T> out;
    apply(x, out);
    return out;
  }
  Vector<T> adjoint(const Vector<T>& y) const {
    Vector<T> out;
    apply_adjoint(y, out);
    return out;
  }
};

template <class T>
using OperatorPtr = std::shared_ptr<const LinearOperator<T>>;

}  // namespace barriers
