// The orthonormal discrete wavelet transform, 1-D and 2-D, multilevel,
// periodic boundary.
//
// apply() is the analysis W (pixels -> coefficients), apply_adjoint() the
// synthesis W^T = W^-1 (exact arithmetic). One level on a periodic signal x of
// even length n, with the Daubechies filter h of length L (wavelet_filter.hpp)
// and g_k = (-1)^k h_{L-1-k}:
//   a_j = sum_k h_k x_{(2j+k) mod n},  d_j = sum_k g_k x_{(2j+k) mod n},
// j < n/2 (any L, also L > n). Level l + 1 transforms a of level l again. In
// 2-D each level transforms every column of the current approximation block,
// then every row (separable, the standard square Mallat scheme); both sides
// must be divisible by 2^levels.
//
// Coefficient order (so that each level is one index range, for sparsity in
// levels): first the coarsest approximation block, then the details of the
// coarsest level, then of each finer level, the finest last. In 1-D that is
// [a_L, d_L, d_{L-1}, ..., d_1]; in 2-D level l contributes its three detail
// blocks, each r_l x c_l (r_l = rows / 2^l) stored column-major, in the order
// (high along columns, low along rows), (low, high), (high, high).
// level_starts() gives the boundaries.
//
// Norm bound. With the stored filter h (not exactly orthonormal after
// rounding), one level in exact arithmetic has norm sqrt(rho) along the
// transformed dimension, rho = r_0 + 2 sum_{m>=1} |r_2m| with r_n =
// sum_k h_k h_{k+n}: its modulation matrix M satisfies M^* M = (|H(w)|^2 +
// |H(w+pi)|^2)/2 I = sum_m r_2m e^{-2imw} I for this choice of g, for every
// real h. rho is evaluated with the stored h and rounded up: each r_n is off
// by <= gamma_L ||h||^2 and the sum by a factor gamma_L, so rho <= (rho_fl +
// (L + 2) gamma_L ||h||^2)(1 + 2 gamma_L). Each output is a
// sum of L products with real filter entries, so the computed pass (columns
// or rows) is off by at most e = sqrt2 gamma_L ||h||_1 times its input norm
// (Young's inequality for the periodic convolution with |h|, per channel;
// the same holds for synthesis, whose outputs are also sums of L products).
// Untouched coefficients are copied exactly, so a pass has norm <= f =
// max(1, sqrt rho) + e, and with P passes (P = levels in 1-D, 2 levels in 2-D)
//   ||W_stored|| <= f^P,  ||W_stored x - W_h x|| <= (f^P - g^P) ||x||
//                                                <= P e f^(P-1) ||x||
// (telescoping over the passes), g = max(1, sqrt rho), W_h the
// exact-arithmetic transform with the stored filter (its adjoint is exactly
// the exact-arithmetic synthesis). norm_bound() and rounding_bound() return
// these times 1 + 2 (P + 1) u, which covers their own evaluation.
#pragma once

#include <vector>

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class T>
class WaveletTransform final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// Daubechies wavelet with `moments` vanishing moments (1 = Haar), `levels`
  /// >= 1 levels; each side divisible by 2^levels (1-D: cols == 1). Throws
  /// std::invalid_argument, naming the value, otherwise.
  WaveletTransform(ImageShape shape, int moments, int levels);

  const ImageShape& shape() const { return shape_; }
  int levels() const { return levels_; }
  const Vector<Real>& filter() const { return h_; }
  /// levels + 2 boundaries: [0, approximation end, coarsest details end, ...,
  /// size]; range l (l = 0..levels) is the approximation (l = 0) or the
  /// details of level levels + 1 - l.
  const std::vector<Eigen::Index>& level_starts() const { return starts_; }

  Eigen::Index rows() const override { return shape_.size(); }
  Eigen::Index cols() const override { return shape_.size(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override { return bound_; }
  /// A bound on ||W_stored z - W_h z|| / ||z|| for both directions (above).
  Real rounding_bound() const { return rounding_; }

 private:
  // Mallat square layout <-> level-ordered vector.
  void gather(const T* mallat, Vector<T>& out) const;
  void scatter(const Vector<T>& coeffs, T* mallat) const;

  ImageShape shape_;
  int levels_;
  Vector<Real> h_, g_;
  std::vector<Eigen::Index> starts_;
  std::vector<Eigen::Index> mallat_index_;  // coefficient p sits at mallat_index_[p] of the Mallat layout
  Real bound_, rounding_;
};

#define BARRIERS_X(T) extern template class WaveletTransform<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
