// The attack objective of the stability experiments and its exact gradient:
//     L(r) = ||Phi(y + B r) - Phi(y)||^2,
// where B maps the perturbation r to the change of the measurements (B = A:
// a perturbation of the signal, r -> A r; no B: r perturbs y itself).
// grad_r L = B^* J^*(y + B r) 2 (Phi(y + B r) - Phi(y)), in the complex
// convention of reconstruction_map.hpp.
#pragma once

#include "barriers/solvers/linear_operator.hpp"
#include "barriers/solvers/stability/reconstruction_map.hpp"

namespace barriers {

template <class T>
class PerturbationLoss {
 public:
  using Real = real_of<T>;

  struct Value {
    Real loss;         ///< ||Phi(y + B r) - Phi(y)||^2
    Real change_norm;  ///< ||Phi(y + B r) - Phi(y)||
    Real e_norm;       ///< ||B r||
  };

  /// Evaluates Phi(y) once. B may be null (then r has the size of y).
  /// Throws std::invalid_argument for mismatched sizes.
  PerturbationLoss(ReconstructionMap<T>& phi, OperatorPtr<T> B, Vector<T> y);

  Eigen::Index perturbation_size() const;
  const Vector<T>& base_output() const { return base_; }
  const Vector<T>& last_output() const { return out_; }  ///< Phi(y + B r) of the last evaluate()

  /// L(r), and its gradient into *grad when grad is not null.
  Value evaluate(const Vector<T>& r, Vector<T>* grad) { return evaluate_into(r, grad); }
  /// The same into the loss's own Value (valid until the next call): with
  /// real MPFR numbers a call creates none once the buffers are sized.
  const Value& evaluate_into(const Vector<T>& r, Vector<T>* grad);

 private:
  ReconstructionMap<T>& phi_;
  OperatorPtr<T> B_;
  Vector<T> y_, base_, e_, ye_, out_, diff_, ge_;
  Value value_{};
  Real two_ = Real(2);
};

#define BARRIERS_X(T) extern template class PerturbationLoss<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
