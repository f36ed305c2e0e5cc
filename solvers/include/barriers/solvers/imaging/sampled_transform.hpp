// Subsampled measurements of a transform-sparse image: A = P_Omega U W^*.
//
// U is the measurement transform (FourierTransform, WalshHadamard: unitary),
// W the sparsifying transform (WaveletTransform: orthogonal, so W^* = W^-1
// and A x measures the image W^-1 x with coefficients x), P_Omega keeps the
// entries listed in Omega, in that order. With exact U and W, ||A|| <= 1
// (P_Omega has norm 1 and U, W^* are isometries).
//
// Norm bound: selection and scattering are exact, so the stored A satisfies
// ||A_stored|| <= ||U_stored|| ||W^*_stored|| <= U.norm_bound() W.norm_bound(),
// times (1 + eps) for rounding that product; the result is 1 + O(u log N)
// for the transforms here. delta() bounds ||A_stored x - A x|| / ||x|| in
// both directions by (1 + delta_U)(1 + delta_W) - 1, evaluated with the same
// margin, from the factors' forward error bounds passed in.
#pragma once

#include <vector>

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

/// The indices k with mask[k] true, ascending.
std::vector<Eigen::Index> mask_to_indices(const std::vector<bool>& mask);

template <class T>
class SampledTransform final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// U and W square of the same size N; Omega non-empty, entries in [0, N),
  /// no repeats. delta_U, delta_W >= 0: forward error bounds of the stored U
  /// and W (e.g. norm_bound() - 1 of a FourierTransform or WalshHadamard,
  /// rounding_bound() of a WaveletTransform plus its filter's deviation).
  /// Throws std::invalid_argument otherwise.
  SampledTransform(OperatorPtr<T> U, OperatorPtr<T> W, std::vector<Eigen::Index> omega, Real delta_U = Real(0),
                   Real delta_W = Real(0));

  const std::vector<Eigen::Index>& omega() const { return omega_; }
  Eigen::Index rows() const override { return Eigen::Index(omega_.size()); }
  Eigen::Index cols() const override { return U_->cols(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override { return bound_; }
  Real delta() const { return delta_; }

 private:
  OperatorPtr<T> U_, W_;
  std::vector<Eigen::Index> omega_;
  Real bound_, delta_;
};

#define BARRIERS_X(T) extern template class SampledTransform<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
