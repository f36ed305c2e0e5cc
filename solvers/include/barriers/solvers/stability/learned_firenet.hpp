// FIRENET layers after a learned network (issue 10), built from what
// firenet.hpp offers (FirenetSettings has no starting point):
//     Phi_c(y) = x_l(y) + Phi_F(y - A x_l(y)),
// x_l the learned map, Phi_F FIRENET (FirenetMap) with data the residual
// b = y - A x_l. Phi_F(b) approximately minimises lambda ||d||_{1,w} +
// ||A d - b||, so Phi_c(y) approximately minimises
//     lambda ||x - x_l(y)||_{1,w} + ||A x - y||,
// the weighted square-root LASSO re-centred at the learned output. That is
// not FIRENET started from x_l (which would minimise lambda ||x||_{1,w} +
// ||Ax - y|| from psi_0 = x_l): near x_l the prior favours keeping x_l.
//
// Bound (the analysis of firenet_stability_bound.hpp on the residual
// problem): for any x, put d* = x - x_l(y); then A d* - b = A x - y, so if
// the residual objective is sharp at d* with constants (C1, C2),
//     ||Phi_c(y) - x|| = ||Phi_F(b) - d*|| <= d_n,
// the recursion of FIRENET's bound with d_0 = ||x - x_l(y)|| (in place of
// ||x||) and noise ||A x - y||, and for a perturbation e
//     ||Phi_c(y + e) - Phi_c(y)|| <= d_n(y + e) + d_n(y),
// the first with noise ||Ax - y|| + ||e|| and d_0 = ||x - x_l(y + e)||.
// When A has full column rank the constants of full_column_rank_sharpness
// hold at every point and every data, so this bound holds whatever the
// learned network does: its output enters only through d_0, which the
// restarts damp like e^-n while alpha_r d_{r-1} stays comparable to eps_r,
// i.e. while eps0 is at least of the order of ||x - x_l||. (With eps0 =
// ||b|| from the input, eps0 can be far smaller than ||x - x_l|| exactly when
// x - x_l is nearly in the null space of A, and the bound is then weak.)
// Under the robust null space property in levels (the imaging case) the
// sharpness constants carry the model term sigma_{s,M}(x - x_l(y))_{1,w},
// which depends on y through x_l: FIRENET's bound then does not transfer to
// the composite without a bound on how that term moves.
//
// Reverse mode: J_c^* g = J_F^* g + J_l^*(g - A^* J_F^* g).
#pragma once

#include <memory>

#include "barriers/solvers/stability/firenet_gradient.hpp"
#include "barriers/solvers/stability/firenet_stability_bound.hpp"
#include "barriers/solvers/stability/reconstruction_map.hpp"

namespace barriers {

template <class T>
class LearnedFirenetMap final : public ReconstructionMap<T> {
 public:
  using Real = real_of<T>;

  /// learned: y (m) -> x (N) for the same A. Validates like FirenetMap;
  /// throws std::invalid_argument for a null map or mismatched sizes.
  LearnedFirenetMap(std::shared_ptr<ReconstructionMap<T>> learned, OperatorPtr<T> A,
                    const FirenetSettings<T>& settings);

  Eigen::Index input_size() const override { return A_->rows(); }
  Eigen::Index output_size() const override { return A_->cols(); }
  void forward(const Vector<T>& y, Vector<T>& out) override;
  void backward(const Vector<T>& g, Vector<T>& g_y) override;

  /// x_l(y) and b = y - A x_l(y) of the last forward().
  const Vector<T>& learned_output() const { return xl_; }
  const Vector<T>& residual_data() const { return b_; }
  const FirenetMap<T>& firenet() const { return firenet_; }

 private:
  std::shared_ptr<ReconstructionMap<T>> learned_;
  OperatorPtr<T> A_;
  FirenetMap<T> firenet_;
  bool have_forward_ = false;
  Vector<T> xl_, b_, d_, gF_, gl_, gyl_, work_;
};

/// The bound above on ||Phi_c(y + e) - Phi_c(y)|| from a point x, sharpness
/// constants c for the residual problems, and the learned outputs
/// xl_y = x_l(y), xl_ye = x_l(y + e): d_n(y + e) + d_n(y) with
/// firenet_error_bound on data b = y - A xl_y (and y + e - A xl_ye).
template <class T>
real_of<T> learned_firenet_stability_bound(const LinearOperator<T>& A, const detail::FirenetPlan<T>& plan,
                                           const SharpnessConstants<real_of<T>>& c, const Vector<T>& x,
                                           const Vector<T>& y, const Vector<T>& e, const Vector<T>& xl_y,
                                           const Vector<T>& xl_ye);

#define BARRIERS_X(T)                                                                                          \
  extern template class LearnedFirenetMap<T>;                                                                  \
  extern template real_of<T> learned_firenet_stability_bound<T>(                                              \
      const LinearOperator<T>&, const detail::FirenetPlan<T>&, const SharpnessConstants<real_of<T>>&,          \
      const Vector<T>&, const Vector<T>&, const Vector<T>&, const Vector<T>&, const Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
