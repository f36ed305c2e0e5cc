// Discrete derivatives of images for total variation and TGV: the 2-D
// gradient and the symmetrised gradient, forward differences with Neumann
// boundary (the difference across the last row / column is 0).
//
// Why Neumann: periodic differences would add a jump between opposite edges
// of a real image (which has none), and TV would pay for it. Neumann
// forward differences are the usual discretisation of isotropic TV
// (Chambolle 2004); the adjoint is minus the matching discrete divergence.
//
// Layout (image_shape.hpp: pixel (i, j) at i + rows j). For u with N pixels,
//   Gradient2D u = [D_1 u; D_2 u]  (2N entries),
//   (D_1 u)(i, j) = u(i+1, j) - u(i, j) for i < rows - 1, else 0 (down a column),
//   (D_2 u)(i, j) = u(i, j+1) - u(i, j) for j < cols - 1, else 0 (along a row).
// For v = [v_1; v_2] (2N entries, a vector field),
//   SymmetrisedGradient2D v = [D_1 v_1; D_2 v_2; s; s],  s = (D_2 v_1 + D_1 v_2) / 2
// (4N entries: the symmetric 2 x 2 matrix field with its off-diagonal entry
// stored twice, so that the l2 norm of each group of 4 is the Frobenius
// norm). Groups for the grouped l1 norm (grouped_l1.hpp): {i, i + N} for the
// gradient (isotropic TV), {i, i + N, i + 2N, i + 3N} for E.
//
// Norm bounds. ||D_k|| <= 2 (triangle inequality: each is a shift minus the
// identity restricted to the kept entries), so ||grad u||^2 <= 8 ||u||^2;
// ||E v||^2 = ||D_1 v_1||^2 + ||D_2 v_2||^2 + ||D_2 v_1 + D_1 v_2||^2 / 2
// <= 4||v_1||^2 + 4||v_2||^2 + (8||v_1||^2 + 8||v_2||^2)/2 = 8 ||v||^2.
// Rounding: every output entry is a difference (gradient), or a sum of two
// differences halved (E), so it is off by at most (2u + u^2) times the same
// expression with |D_k| (entries |+-1|, also of norm <= 2) applied to |v|;
// the computed maps therefore have norm <= sqrt8 (1 + 3u). norm_bound()
// returns fl(sqrt 8) (1 + 16 u), which covers that and its own evaluation.
// The entries +-1 and 1/2 are exact, and apply_adjoint is the exact adjoint
// of the exact map.
#pragma once

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class T>
class Gradient2D final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  /// Throws std::invalid_argument for a bad shape (check_image_shape).
  explicit Gradient2D(ImageShape shape);

  const ImageShape& shape() const { return shape_; }
  Eigen::Index rows() const override { return 2 * shape_.size(); }
  Eigen::Index cols() const override { return shape_.size(); }
  void apply(const Vector<T>& u, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& p, Vector<T>& out) const override;
  Real norm_bound() const override;

 private:
  ImageShape shape_;
};

template <class T>
class SymmetrisedGradient2D final : public LinearOperator<T> {
 public:
  using Real = real_of<T>;

  explicit SymmetrisedGradient2D(ImageShape shape);

  const ImageShape& shape() const { return shape_; }
  Eigen::Index rows() const override { return 4 * shape_.size(); }
  Eigen::Index cols() const override { return 2 * shape_.size(); }
  void apply(const Vector<T>& v, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& p, Vector<T>& out) const override;
  Real norm_bound() const override;

 private:
  ImageShape shape_;
};

#define BARRIERS_X(T)                     \
  extern template class Gradient2D<T>; \
  extern template class SymmetrisedGradient2D<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
