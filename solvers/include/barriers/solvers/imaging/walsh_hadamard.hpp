// The orthonormal Walsh-Hadamard transform in sequency order, 1-D and 2-D.
//
// Along a side of length n = 2^m the transform is y = n^-1/2 W x, where row k
// of the Walsh matrix W has exactly k sign changes (sequency order, the
// order in which compressed-sensing code samples Walsh coefficients, lowest
// "frequencies" first). Row k of W is row h(k) of the Sylvester-Hadamard
// matrix H (H_ij = (-1)^popcount(i & j)) with h(k) = bit reversal (m bits)
// of the Gray code k ^ (k >> 1). An image is transformed along its columns,
// then along its rows (W_cols (x) W_rows), both sides powers of two. The
// fast transform is m butterfly stages (a + b, a - b) on a copy, then the
// permutation and one scaling. W is real and symmetric up to the
// permutation, so the adjoint is the inverse: H applied to the un-permuted
// input, scaled. Any scalar type, real or complex.
//
// Norm bound. Each butterfly stage rounds every real part once, relative
// error <= u componentwise, so after L = log2(rows cols) stages the error is
// <= ((1 + u)^L - 1) ||y||; the scaling by s = fl(1 / sqrt(rows cols)) adds
// at most 3u (exact when L is even). So ||W_stored|| <= (1+u)^L (1+3u)
// <= 1 + 1.01 (L + 3) u, reported as 1 + 1.01 (L + 4) u to cover the
// evaluation; the same bound holds for the adjoint and is the forward error
// bound delta = norm_bound() - 1 of both directions.
#pragma once

#include <vector>

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

/// The Sylvester-Hadamard row h(k) holding the Walsh row of sequency k, for
/// length 2^bits (k < 2^bits).
Eigen::Index sequency_to_hadamard(Eigen::Index k, int bits);

template <class T>
class WalshHadamard final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// Throws std::invalid_argument unless both sides are powers of two.
  explicit WalshHadamard(ImageShape shape);

  const ImageShape& shape() const { return shape_; }
  Eigen::Index rows() const override { return shape_.size(); }
  Eigen::Index cols() const override { return shape_.size(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override { return bound_; }

 private:
  void butterflies(Vector<T>& v) const;  // H_cols (x) H_rows, unnormalised, in place
  void scaled_copy(const Vector<T>& h, Vector<T>& out, bool permuted) const;

  ImageShape shape_;
  std::vector<Eigen::Index> perm_;  // sequency index k -> Hadamard index, whole image
  Real scale_;
  Real bound_;
};

#define BARRIERS_X(T) extern template class WalshHadamard<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
